module workbook/bench/connector

go 1.19
