using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;

namespace DockPS.Engine.Runtime;

/// <summary>
/// Seccomp filters compiled once per profile. crun compiles a bundle's seccomp section into a BPF
/// program on every run (about 2 ms for Docker's default profile here), keeps the program in its
/// state folder as <c>seccomp.bpf</c> (its exec processes load it from there), and also takes a
/// program ready-made in the annotation <c>run.oci.seccomp_bpf_data</c>, in place of the section.
/// So the first run of a profile compiles it, and this cache hands the program crun made then to
/// every later run of the same profile. The section stays in config.json: it is what the program
/// says, for anyone reading the bundle. Memory only: a new daemon compiles each profile once again.
/// </summary>
public sealed class SeccompCache
{
    /// <summary>crun's annotation for a compiled program (base64 of the filter's instructions).</summary>
    public const string Annotation = "run.oci.seccomp_bpf_data";

    // A classic BPF instruction is 8 bytes, and the kernel takes at most 4096 of them.
    private const int InstructionSize = 8;
    private const int MaxInstructions = 4096;

    private readonly ConcurrentDictionary<string, string> programs = new(StringComparer.Ordinal);

    /// <summary>The profile's identity: the hash of its JSON as the bundle holds it.</summary>
    public static string KeyOf(OciSeccomp profile) =>
        Convert.ToHexString(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(profile, OciJsonContext.Default.OciSeccomp)));

    /// <summary>
    /// <paramref name="spec"/> with the compiled program of its profile when one is known; the key
    /// to <see cref="Learn"/> it under after the run when not (null when there is nothing to learn).
    /// </summary>
    public (OciSpec Spec, string? LearnKey) Apply(OciSpec spec, string runtimePath)
    {
        if (spec.Linux.Seccomp is not { } profile || !RuntimeCatalog.IsCrun(runtimePath)) { return (spec, null); }
        var key = KeyOf(profile);
        if (!programs.TryGetValue(key, out var program)) { return (spec, key); }
        var annotations = new Dictionary<string, string>(spec.Annotations ?? [], StringComparer.Ordinal) { [Annotation] = program };
        return (spec with { Annotations = annotations }, null);
    }

    /// <summary>
    /// Keeps the program the runtime compiled for a container it runs now (<c>seccomp.bpf</c> in
    /// <paramref name="runtimeStateDir"/>). Anything else there (nothing, or not a whole program)
    /// is ignored: the next run compiles the profile again.
    /// </summary>
    public void Learn(string key, string runtimeStateDir)
    {
        byte[] program;
        try { program = File.ReadAllBytes(Path.Combine(runtimeStateDir, "seccomp.bpf")); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return; }
        if (program.Length == 0 || program.Length % InstructionSize != 0 || program.Length > MaxInstructions * InstructionSize) { return; }
        programs.TryAdd(key, Convert.ToBase64String(program));
    }
}
