using System.Text.Json.Serialization;

namespace DockPS.Engine.Runtime;

// The part of the OCI runtime configuration (runtime-spec config.md, config-linux.md) that the
// engine writes. Property names are the spec's; null members are left out of config.json.

/// <summary>An OCI bundle's <c>config.json</c>.</summary>
public sealed record OciSpec
{
    [JsonPropertyName("ociVersion")] public string OciVersion { get; init; } = "1.0.2";
    [JsonPropertyName("process")] public required OciProcess Process { get; init; }
    [JsonPropertyName("root")] public required OciRoot Root { get; init; }
    [JsonPropertyName("hostname")] public string? Hostname { get; init; }
    [JsonPropertyName("domainname")] public string? Domainname { get; init; }
    [JsonPropertyName("mounts")] public List<OciMount> Mounts { get; init; } = [];
    [JsonPropertyName("annotations")] public Dictionary<string, string>? Annotations { get; init; }
    [JsonPropertyName("linux")] public required OciLinux Linux { get; init; }
}

/// <summary>The container's (or an exec's) process.</summary>
public sealed record OciProcess
{
    [JsonPropertyName("terminal")] public bool Terminal { get; init; }
    [JsonPropertyName("consoleSize")] public OciConsoleSize? ConsoleSize { get; init; }
    [JsonPropertyName("user")] public required OciUser User { get; init; }
    [JsonPropertyName("args")] public required IReadOnlyList<string> Args { get; init; }
    [JsonPropertyName("env")] public required IReadOnlyList<string> Env { get; init; }
    [JsonPropertyName("cwd")] public required string Cwd { get; init; }
    [JsonPropertyName("capabilities")] public OciCapabilities? Capabilities { get; init; }
    [JsonPropertyName("rlimits")] public IReadOnlyList<OciRlimit>? Rlimits { get; init; }
    [JsonPropertyName("noNewPrivileges")] public bool NoNewPrivileges { get; init; }
    [JsonPropertyName("apparmorProfile")] public string? ApparmorProfile { get; init; }
    [JsonPropertyName("oomScoreAdj")] public int? OomScoreAdj { get; init; }
}

/// <summary>Terminal size at start.</summary>
public sealed record OciConsoleSize([property: JsonPropertyName("height")] uint Height, [property: JsonPropertyName("width")] uint Width);

/// <summary>The user the process runs as.</summary>
public sealed record OciUser
{
    [JsonPropertyName("uid")] public uint Uid { get; init; }
    [JsonPropertyName("gid")] public uint Gid { get; init; }
    [JsonPropertyName("additionalGids")] public IReadOnlyList<uint>? AdditionalGids { get; init; }
    [JsonPropertyName("umask")] public uint? Umask { get; init; }
}

/// <summary>Capability sets; Docker gives the same list to bounding, effective and permitted.</summary>
public sealed record OciCapabilities
{
    [JsonPropertyName("bounding")] public required IReadOnlyList<string> Bounding { get; init; }
    [JsonPropertyName("effective")] public required IReadOnlyList<string> Effective { get; init; }
    [JsonPropertyName("permitted")] public required IReadOnlyList<string> Permitted { get; init; }
    [JsonPropertyName("inheritable")] public IReadOnlyList<string>? Inheritable { get; init; }
    [JsonPropertyName("ambient")] public IReadOnlyList<string>? Ambient { get; init; }
}

/// <summary>A resource limit.</summary>
public sealed record OciRlimit(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("hard")] ulong Hard,
    [property: JsonPropertyName("soft")] ulong Soft);

/// <summary>The root filesystem.</summary>
public sealed record OciRoot(
    [property: JsonPropertyName("path")] string Path,
    [property: JsonPropertyName("readonly")] bool Readonly);

/// <summary>A mount in the container.</summary>
public sealed record OciMount
{
    [JsonPropertyName("destination")] public required string Destination { get; init; }
    [JsonPropertyName("type")] public string? Type { get; init; }
    [JsonPropertyName("source")] public string? Source { get; init; }
    [JsonPropertyName("options")] public IReadOnlyList<string>? Options { get; init; }
}

/// <summary>Linux-specific settings.</summary>
public sealed record OciLinux
{
    [JsonPropertyName("namespaces")] public required IReadOnlyList<OciNamespace> Namespaces { get; init; }
    [JsonPropertyName("cgroupsPath")] public string? CgroupsPath { get; init; }
    [JsonPropertyName("resources")] public OciResources? Resources { get; init; }
    [JsonPropertyName("sysctl")] public Dictionary<string, string>? Sysctl { get; init; }
    [JsonPropertyName("seccomp")] public OciSeccomp? Seccomp { get; init; }
    [JsonPropertyName("maskedPaths")] public IReadOnlyList<string>? MaskedPaths { get; init; }
    [JsonPropertyName("readonlyPaths")] public IReadOnlyList<string>? ReadonlyPaths { get; init; }
    [JsonPropertyName("rootfsPropagation")] public string? RootfsPropagation { get; init; }
    [JsonPropertyName("devices")] public IReadOnlyList<OciDevice>? Devices { get; init; }
}

/// <summary>A namespace to create (no path) or join (path).</summary>
public sealed record OciNamespace(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("path")] string? Path = null);

/// <summary>A device node to create in the container.</summary>
public sealed record OciDevice
{
    [JsonPropertyName("path")] public required string Path { get; init; }
    [JsonPropertyName("type")] public required string Type { get; init; }
    [JsonPropertyName("major")] public long Major { get; init; }
    [JsonPropertyName("minor")] public long Minor { get; init; }
    [JsonPropertyName("fileMode")] public uint? FileMode { get; init; }
    [JsonPropertyName("uid")] public uint? Uid { get; init; }
    [JsonPropertyName("gid")] public uint? Gid { get; init; }
}

/// <summary>cgroup limits.</summary>
public sealed record OciResources
{
    [JsonPropertyName("devices")] public IReadOnlyList<OciDeviceRule>? Devices { get; init; }
    [JsonPropertyName("memory")] public OciMemory? Memory { get; init; }
    [JsonPropertyName("cpu")] public OciCpu? Cpu { get; init; }
    [JsonPropertyName("pids")] public OciPids? Pids { get; init; }
}

/// <summary>A device cgroup rule.</summary>
public sealed record OciDeviceRule
{
    [JsonPropertyName("allow")] public bool Allow { get; init; }
    [JsonPropertyName("type")] public string? Type { get; init; }
    [JsonPropertyName("major")] public long? Major { get; init; }
    [JsonPropertyName("minor")] public long? Minor { get; init; }
    [JsonPropertyName("access")] public string? Access { get; init; }
}

/// <summary>Memory limits in bytes.</summary>
public sealed record OciMemory
{
    [JsonPropertyName("limit")] public long? Limit { get; init; }
    [JsonPropertyName("reservation")] public long? Reservation { get; init; }
    [JsonPropertyName("swap")] public long? Swap { get; init; }
}

/// <summary>CPU shares and quota.</summary>
public sealed record OciCpu
{
    [JsonPropertyName("shares")] public ulong? Shares { get; init; }
    [JsonPropertyName("quota")] public long? Quota { get; init; }
    [JsonPropertyName("period")] public ulong? Period { get; init; }
    [JsonPropertyName("cpus")] public string? Cpus { get; init; }
}

/// <summary>Process count limit.</summary>
public sealed record OciPids([property: JsonPropertyName("limit")] long Limit);

/// <summary>A seccomp filter.</summary>
public sealed record OciSeccomp
{
    [JsonPropertyName("defaultAction")] public required string DefaultAction { get; init; }
    [JsonPropertyName("defaultErrnoRet")] public uint? DefaultErrnoRet { get; init; }
    [JsonPropertyName("architectures")] public IReadOnlyList<string>? Architectures { get; init; }
    [JsonPropertyName("syscalls")] public required IReadOnlyList<OciSyscallRule> Syscalls { get; init; }
}

/// <summary>An action for a set of system calls, optionally only for some argument values.</summary>
public sealed record OciSyscallRule
{
    [JsonPropertyName("names")] public required IReadOnlyList<string> Names { get; init; }
    [JsonPropertyName("action")] public required string Action { get; init; }
    [JsonPropertyName("errnoRet")] public uint? ErrnoRet { get; init; }
    [JsonPropertyName("args")] public IReadOnlyList<OciSyscallArg>? Args { get; init; }
}

/// <summary>A condition on one system call argument.</summary>
public sealed record OciSyscallArg
{
    [JsonPropertyName("index")] public uint Index { get; init; }
    [JsonPropertyName("value")] public ulong Value { get; init; }
    [JsonPropertyName("valueTwo")] public ulong? ValueTwo { get; init; }
    [JsonPropertyName("op")] public required string Op { get; init; }
}

/// <summary>Compile-time JSON metadata for bundle files (the daemon is compiled ahead of time).</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, WriteIndented = false)]
[JsonSerializable(typeof(OciSpec))]
[JsonSerializable(typeof(OciProcess))]
internal sealed partial class OciJsonContext : JsonSerializerContext;
