module workbook/bench/pipeline

go 1.19
