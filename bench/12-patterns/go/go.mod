module workbook/bench/patternsbench

go 1.19
