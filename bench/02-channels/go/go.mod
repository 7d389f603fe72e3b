module workbook/bench/channels

go 1.19
