module workbook/bench/legacyrefactor

go 1.19
