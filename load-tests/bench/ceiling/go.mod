module users-info.local/bench/ceiling

go 1.24
