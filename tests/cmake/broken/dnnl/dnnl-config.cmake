# A package config that fails the way Debian's oneDNN config does when the OpenCL headers it
# requires are missing: configure must report oneDNN as skipped and go on.
find_package(MemwallNoSuchDependency REQUIRED)
