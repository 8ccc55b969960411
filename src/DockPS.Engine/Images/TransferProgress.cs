namespace DockPS.Engine.Images;

/// <summary>
/// A step of a pull or push, in the words Docker's progress streams use ("Pulling fs layer",
/// "Downloading", "Pull complete", …), so the daemon can pass it to the docker CLI unchanged.
/// </summary>
/// <param name="Id">The short layer ID the line belongs to, or null for a line about the whole image.</param>
/// <param name="Status">What is happening.</param>
/// <param name="Current">Bytes done, for a transfer.</param>
/// <param name="Total">Bytes in all, for a transfer.</param>
public sealed record TransferProgress(string? Id, string Status, long? Current = null, long? Total = null);

/// <summary>Where and as whom the engine talks to registries.</summary>
/// <param name="InsecureRegistries">Registries reached over plain HTTP besides loopback ones.</param>
/// <param name="DockerConfigPath">The docker config.json whose <c>auths</c> hold stored logins (null: root's).</param>
public sealed record RegistrySettings(IReadOnlyCollection<string> InsecureRegistries, string? DockerConfigPath);
