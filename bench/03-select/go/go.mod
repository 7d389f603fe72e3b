module workbook/bench/selectbench

go 1.19
