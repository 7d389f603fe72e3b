module workbook/bench/runtimebench

go 1.19
