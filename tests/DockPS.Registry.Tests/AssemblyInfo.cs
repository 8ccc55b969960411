// The tests start Debian's docker-registry and loopback servers: Linux only.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
