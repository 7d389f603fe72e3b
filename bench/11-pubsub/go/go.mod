module workbook/bench/pubsub

go 1.19
