namespace DockPS.Daemon.Api;

/// <summary>
/// The Docker Engine API versions dockpsd serves, and the middleware that strips <c>/v1.NN</c>
/// from paths. Every version from <see cref="Minimum"/> to <see cref="Current"/> is accepted:
/// Docker.DotNet sends 1.44 without negotiating, the docker CLI up to 1.50, Debian's docker-py
/// and docker-compose older ones. Unversioned paths get the current version, as in dockerd.
/// </summary>
public static class ApiVersions
{
    /// <summary>The newest version served (the spec this daemon implements).</summary>
    public static readonly Version Current = new(1, 56);

    /// <summary>The oldest version served, as dockerd's minimum.</summary>
    public static readonly Version Minimum = new(1, 24);

    private const string ItemKey = "dockps.api-version";

    /// <summary>Splits "/v1.44/info" into ("1.44", "/info"); null for unversioned paths (dockerd's /v{version:[0-9.]+}/).</summary>
    private static (string Text, string Remainder)? SplitVersion(string path)
    {
        if (path.Length < 4 || path[0] != '/' || path[1] != 'v') { return null; }
        var slash = path.IndexOf('/', 2);
        if (slash < 3) { return null; }
        var version = path[2..slash];
        return version.All(c => c is '.' or (>= '0' and <= '9')) ? (version, path[slash..]) : null;
    }

    /// <summary>Formats a version as the API writes it ("1.56").</summary>
    public static string Format(Version v) => $"{v.Major}.{v.Minor}";

    /// <summary>The API version of this request (set by the middleware).</summary>
    public static Version Of(HttpContext context) => context.Items[ItemKey] as Version ?? Current;

    /// <summary>Strips and checks the version prefix, answering 400 for versions outside the range.</summary>
    public static async Task Middleware(HttpContext context, Func<Task> next)
    {
        var version = Current;
        if (SplitVersion(context.Request.Path.Value ?? "") is var (text, rest))
        {
            if (!Version.TryParse(text, out var asked) || asked.Build >= 0)
            {
                await ApiErrors.Write(context, StatusCodes.Status404NotFound, "page not found");
                return;
            }
            if (asked > Current)
            {
                await ApiErrors.Write(context, StatusCodes.Status400BadRequest,
                    $"client version {text} is too new. Maximum supported API version is {Format(Current)}");
                return;
            }
            if (asked < Minimum)
            {
                await ApiErrors.Write(context, StatusCodes.Status400BadRequest,
                    $"client version {text} is too old. Minimum supported API version is {Format(Minimum)}, " +
                    "please upgrade your client to a newer version");
                return;
            }
            version = asked;
            context.Request.Path = rest;
        }
        context.Items[ItemKey] = version;
        context.Response.Headers["Api-Version"] = Format(Current);
        context.Response.Headers["Docker-Experimental"] = "false";
        context.Response.Headers["OSType"] = "linux";
        context.Response.Headers.Server = $"DockPS/{DaemonInfo.Version} (linux)";
        await next();
    }
}
