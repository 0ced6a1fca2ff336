"""The embedded moto sandbox: launcher, child process and the moto extensions."""
