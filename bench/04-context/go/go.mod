module workbook/bench/contextbench

go 1.19
