// The engine drives Linux kernel features (namespaces, overlayfs, cgroups): Linux only.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
