namespace ManufacturingOrchestration.Adapters.Http;

/// <summary>
/// Where a command or query goes on a target system's REST API: an HTTP method and a path template relative to the
/// connector's base address, such as <c>POST lots/{lot}/stock-category</c>.
/// </summary>
/// <remarks>
/// A placeholder <c>{name}</c> is filled from the command's JSON (as <see cref="Serialization.AdapterJson"/> writes it):
/// <c>{lot}</c> is the command's <c>lot</c> member, <c>{movement.lot}</c> a nested member, <c>{context.site}</c> the site of
/// the command context. For queries the placeholders are the query's arguments (<c>{lot}</c>, <c>{material}</c>,
/// <c>{order}</c>). Values are URI-escaped. A template never starts with <c>/</c>, so the base address's path is kept.
/// </remarks>
public sealed class HttpEndpoint
{
    /// <summary>Creates the endpoint.</summary>
    /// <param name="method">The HTTP method.</param>
    /// <param name="pathTemplate">The relative path template, such as <c>lots/{lot}/stock-category</c>.</param>
    public HttpEndpoint(HttpMethod method, string pathTemplate)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(pathTemplate);
        Method = method;
        PathTemplate = pathTemplate;
    }

    /// <summary>The HTTP method.</summary>
    public HttpMethod Method { get; }

    /// <summary>The relative path template.</summary>
    public string PathTemplate { get; }

    /// <summary>A <c>GET</c> endpoint.</summary>
    /// <param name="pathTemplate">The relative path template.</param>
    /// <returns>The endpoint.</returns>
    public static HttpEndpoint Get(string pathTemplate) => new(HttpMethod.Get, pathTemplate);

    /// <summary>A <c>POST</c> endpoint.</summary>
    /// <param name="pathTemplate">The relative path template.</param>
    /// <returns>The endpoint.</returns>
    public static HttpEndpoint Post(string pathTemplate) => new(HttpMethod.Post, pathTemplate);

    /// <summary>A <c>PUT</c> endpoint.</summary>
    /// <param name="pathTemplate">The relative path template.</param>
    /// <returns>The endpoint.</returns>
    public static HttpEndpoint Put(string pathTemplate) => new(HttpMethod.Put, pathTemplate);

    /// <summary>A <c>PATCH</c> endpoint.</summary>
    /// <param name="pathTemplate">The relative path template.</param>
    /// <returns>The endpoint.</returns>
    public static HttpEndpoint Patch(string pathTemplate) => new(HttpMethod.Patch, pathTemplate);

    /// <summary>A <c>DELETE</c> endpoint.</summary>
    /// <param name="pathTemplate">The relative path template.</param>
    /// <returns>The endpoint.</returns>
    public static HttpEndpoint Delete(string pathTemplate) => new(HttpMethod.Delete, pathTemplate);

    /// <inheritdoc />
    public override string ToString() => $"{Method} {PathTemplate}";
}
