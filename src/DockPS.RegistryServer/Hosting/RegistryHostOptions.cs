using System.Net;

namespace DockPS.RegistryServer.Hosting;

/// <summary>How a registry is served: where it listens and where it stores.</summary>
internal sealed record RegistryHostOptions(IPEndPoint Listen, string Root);
