module sourcecorpus/daemonwrap

go 1.26
