module workbook/bench/resiliencebench

go 1.19
