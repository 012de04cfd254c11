namespace gateway {}
