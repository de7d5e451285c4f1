module users-info.local/reaper

go 1.23
