module workbook/bench/poolbench

go 1.19
