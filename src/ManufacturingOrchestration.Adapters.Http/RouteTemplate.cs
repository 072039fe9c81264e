using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;

namespace ManufacturingOrchestration.Adapters.Http;

/// <summary>Parses and fills the path templates of <see cref="HttpEndpoint"/>.</summary>
internal static class RouteTemplate
{
    /// <summary>
    /// Checks a template: relative, not starting with a slash, no <c>.</c> or <c>..</c> path segment (also written
    /// <c>%2E</c>), braces balanced, placeholder names of letters, digits, <c>.</c>, <c>_</c> or <c>-</c>.
    /// </summary>
    public static bool IsValid(string template, [NotNullWhen(false)] out string? problem)
    {
        if (template.StartsWith('/'))
        {
            problem = "must be relative to the base address (no leading '/')";
            return false;
        }

        if (template.Contains("://", StringComparison.Ordinal))
        {
            problem = "must be a relative path, not an absolute URI";
            return false;
        }

        var i = 0;
        while (i < template.Length)
        {
            var c = template[i];
            if (c == '}')
            {
                problem = $"has an unmatched '}}' at {i}";
                return false;
            }

            if (c != '{')
            {
                if (char.IsControl(c) || c == ' ')
                {
                    problem = $"has a space or control character at {i}";
                    return false;
                }

                i++;
                continue;
            }

            var end = template.IndexOf('}', i + 1);
            if (end < 0)
            {
                problem = $"has an unclosed '{{' at {i}";
                return false;
            }

            var name = template.AsSpan(i + 1, end - i - 1);
            if (name.IsEmpty)
            {
                problem = $"has an empty placeholder at {i}";
                return false;
            }

            foreach (var n in name)
            {
                if (!char.IsAsciiLetterOrDigit(n) && n is not ('.' or '_' or '-'))
                {
                    problem = $"has an invalid placeholder name '{name}'";
                    return false;
                }
            }

            i = end + 1;
        }

        if (DotSegment(template) is { } dots)
        {
            problem = $"has the path segment '{dots}', a step that resolves against the base address and can leave its path; write the path without it";
            return false;
        }

        problem = null;
        return true;
    }

    /// <summary>
    /// Fills a (valid) template; each value is URI-escaped. A value that is <c>.</c> or <c>..</c> is not used: escaping
    /// leaves it as it is, and as a path segment it would address another resource (<c>lots/../stock</c> is <c>stock</c>).
    /// </summary>
    /// <returns>
    /// <see langword="true"/> when every placeholder had a usable value; otherwise <paramref name="missing"/> names the first
    /// that had none (<see cref="Problem"/> says why).
    /// </returns>
    public static bool TryExpand(string template, Func<string, string?> resolve, [NotNullWhen(true)] out string? path, [NotNullWhen(false)] out string? missing)
    {
        var builder = new StringBuilder(template.Length + 32);
        var i = 0;
        while (i < template.Length)
        {
            var start = template.IndexOf('{', i);
            if (start < 0)
            {
                builder.Append(template, i, template.Length - i);
                break;
            }

            builder.Append(template, i, start - i);
            var end = template.IndexOf('}', start + 1);
            var name = template.Substring(start + 1, end - start - 1);
            var value = resolve(name);
            if (string.IsNullOrEmpty(value) || IsDotSegment(value))
            {
                path = null;
                missing = name;
                return false;
            }

            builder.Append(Uri.EscapeDataString(value));
            i = end + 1;
        }

        path = builder.ToString();
        missing = null;
        return true;
    }

    /// <summary>
    /// Why the placeholder <paramref name="name"/> could not be filled, completing "the path template … of '<c>kind</c>' …":
    /// its value is a dot segment, or there is none, which the <paramref name="source"/> (<c>command</c>, <c>query</c>) lacks.
    /// </summary>
    public static string Problem(string name, string? value, string source) => IsDotSegment(value)
        ? $"cannot take '{value}' as '{name}': it is not a path segment but a step to another resource"
        : $"needs '{name}', which the {source} does not carry";

    /// <summary>Resolves a placeholder from a JSON object: <c>lot</c> is a member, <c>movement.lot</c> a nested one (names match ignoring case).</summary>
    public static string? FromJson(JsonElement root, string name)
    {
        var current = root;
        foreach (var segment in name.Split('.'))
        {
            if (current.ValueKind != JsonValueKind.Object || !TryGetMember(current, segment, out current))
            {
                return null;
            }
        }

        return current.ValueKind switch
        {
            JsonValueKind.String => current.GetString(),
            JsonValueKind.Number => current.GetRawText(),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            _ => null,
        };
    }

    /// <summary>Resolves a placeholder from query arguments (names match ignoring case).</summary>
    public static string? FromValues(IReadOnlyDictionary<string, string> values, string name)
    {
        foreach (var (key, value) in values)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        return null;
    }

    private static bool IsDotSegment(string? value) => value is "." or "..";

    /// <summary>
    /// The first literal segment of the template's path (before any <c>?</c> or <c>#</c>) that is <c>.</c> or <c>..</c>,
    /// also percent-encoded (<c>%2E</c>) or between backslashes (which a URI of an HTTP address reads as slashes).
    /// </summary>
    private static string? DotSegment(string template)
    {
        var end = template.IndexOfAny(['?', '#']);
        var path = end < 0 ? template : template[..end];
        foreach (var segment in path.Split(['/', '\\']))
        {
            if (IsDotSegment(segment.Replace("%2E", ".", StringComparison.OrdinalIgnoreCase)))
            {
                return segment;
            }
        }

        return null;
    }

    private static bool TryGetMember(JsonElement element, string name, out JsonElement value)
    {
        if (element.TryGetProperty(name, out value))
        {
            return true;
        }

        foreach (var property in element.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                value = property.Value;
                return true;
            }
        }

        return false;
    }
}
