namespace DockPS.Daemon.Api;

/// <summary>
/// One API route: method, path template and handler. Each area file (System, Images, …) returns
/// its table; handlers parse the request, call the engine once, and write the answer.
/// </summary>
public sealed record Route(string Method, string Path, RequestDelegate Handler)
{
    public static Route Get(string path, RequestDelegate handler) => new(HttpMethods.Get, path, handler);
    public static Route Head(string path, RequestDelegate handler) => new(HttpMethods.Head, path, handler);
    public static Route Post(string path, RequestDelegate handler) => new(HttpMethods.Post, path, handler);
    public static Route Delete(string path, RequestDelegate handler) => new(HttpMethods.Delete, path, handler);
}
