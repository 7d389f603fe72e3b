module workbook/bench/collector

go 1.19
