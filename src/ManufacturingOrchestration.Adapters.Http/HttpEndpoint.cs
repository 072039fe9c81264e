using System.Diagnostics.CodeAnalysis;

namespace ManufacturingOrchestration.Adapters.Http;

/// <summary>
/// Where a command or query goes on a target system's REST API: an HTTP method and a path template relative to the
/// connector's base address, such as <c>POST lots/{lot}/stock-category</c>.
/// </summary>
/// <remarks>
/// A placeholder <c>{name}</c> is filled from the command's JSON (as <see cref="Serialization.AdapterJson"/> writes it):
/// <c>{lot}</c> is the command's <c>lot</c> member, <c>{movement.lot}</c> a nested member, <c>{context.site}</c> the site of
/// the command context. For queries the placeholders are the query's arguments (<c>{lot}</c>, <c>{material}</c>,
/// <c>{order}</c>). Values are URI-escaped, so a <c>/</c>, <c>?</c>, <c>#</c> or <c>%</c> in a lot id stays in its segment; a
/// value that is <c>.</c> or <c>..</c>, which escaping leaves as it is, is refused without a call. A template never starts with <c>/</c>, so the base address's path is kept.
/// <para>
/// In configuration an endpoint is written as one string, the method and the template separated by a space, such as
/// <c>"POST lots/{lot}/stock-category"</c> (see <see cref="Parse(string)"/>); <see cref="ToString"/> writes that form.
/// </para>
/// </remarks>
public sealed class HttpEndpoint
{
    /// <summary>The methods an endpoint written as text may use.</summary>
    private static readonly HttpMethod[] s_methods = [HttpMethod.Get, HttpMethod.Post, HttpMethod.Put, HttpMethod.Patch, HttpMethod.Delete];

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

    /// <summary>
    /// Reads an endpoint written as <c>METHOD path-template</c>, such as <c>POST lots/{lot}/stock-category</c>: one of
    /// <c>GET</c>, <c>POST</c>, <c>PUT</c>, <c>PATCH</c> or <c>DELETE</c> (in any case), then white space, then the
    /// relative path template. The template itself is checked by <see cref="HttpConnectorOptionsValidator"/>.
    /// </summary>
    /// <param name="text">The text.</param>
    /// <returns>The endpoint.</returns>
    /// <exception cref="FormatException">The text is not a method and a path template.</exception>
    public static HttpEndpoint Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out var endpoint, out var problem) ? endpoint : throw new FormatException(problem);
    }

    /// <summary>Reads an endpoint written as <c>METHOD path-template</c>, as <see cref="Parse(string)"/> does.</summary>
    /// <param name="text">The text.</param>
    /// <param name="endpoint">The endpoint, when the text is one.</param>
    /// <returns>Whether the text is a method and a path template.</returns>
    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out HttpEndpoint? endpoint) =>
        TryParse(text, out endpoint, out _);

    /// <summary>Reads an endpoint written as <c>METHOD path-template</c>, saying what is wrong when it is not one.</summary>
    internal static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out HttpEndpoint? endpoint, [NotNullWhen(false)] out string? problem)
    {
        endpoint = null;
        var trimmed = text.AsSpan().Trim();
        var space = trimmed.IndexOfAny(' ', '\t');
        if (space <= 0)
        {
            problem = $"'{text}' is not an endpoint: write the method and the path template separated by a space, such as 'POST lots/{{lot}}/stock-category'";
            return false;
        }

        var token = trimmed[..space];
        HttpMethod? method = null;
        foreach (var candidate in s_methods)
        {
            if (token.Equals(candidate.Method, StringComparison.OrdinalIgnoreCase))
            {
                method = candidate;
                break;
            }
        }

        if (method is null)
        {
            problem = $"'{text}' has the method '{token}', which is not one of GET, POST, PUT, PATCH or DELETE";
            return false;
        }

        endpoint = new HttpEndpoint(method, trimmed[(space + 1)..].Trim().ToString());
        problem = null;
        return true;
    }

    /// <summary>The endpoint as <c>METHOD path-template</c>, the form <see cref="Parse(string)"/> reads.</summary>
    /// <returns>The text, such as <c>POST lots/{lot}/stock-category</c>.</returns>
    public override string ToString() => $"{Method} {PathTemplate}";
}
