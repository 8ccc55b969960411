// dockpsd serves a Linux engine: Unix sockets, signals, /proc.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
