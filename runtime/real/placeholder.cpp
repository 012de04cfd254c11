namespace runtime {}
