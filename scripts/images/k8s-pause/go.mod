module users-info.local/pause

go 1.22
