module workbook/bench/goroutines

go 1.19
