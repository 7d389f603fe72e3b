module workbook/bench/syncbench

go 1.19
