using System.Globalization;
using System.Text;

namespace ManufacturingOrchestration.Model.Validation;

/// <summary>
/// A stack of path segments that is only turned into a string when an error is reported, so a valid event
/// costs no path strings.
/// </summary>
internal sealed class JsonPathBuilder
{
    private readonly List<(string? Name, int Index)> _segments = [];

    public JsonPathBuilder(string root = "$") => Root = root;

    public string Root { get; }

    public void Push(string name) => _segments.Add((name, -1));

    public void Push(int index) => _segments.Add((null, index));

    public void Pop() => _segments.RemoveAt(_segments.Count - 1);

    public string Build(string? leaf = null)
    {
        var builder = new StringBuilder(Root);
        foreach (var (name, index) in _segments)
        {
            Append(builder, name, index);
        }

        if (leaf is not null)
        {
            Append(builder, leaf, -1);
        }

        return builder.ToString();
    }

    public static string Combine(string root, string relative)
    {
        if (string.IsNullOrEmpty(relative))
        {
            return root;
        }

        return relative[0] is '[' ? root + relative : root + "." + relative;
    }

    private static void Append(StringBuilder builder, string? name, int index)
    {
        if (name is null)
        {
            builder.Append('[').Append(index.ToString(CultureInfo.InvariantCulture)).Append(']');
        }
        else if (IsSimpleName(name))
        {
            builder.Append('.').Append(name);
        }
        else
        {
            builder.Append("['").Append(name.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal)).Append("']");
        }
    }

    private static bool IsSimpleName(string name)
    {
        if (name.Length == 0 || char.IsAsciiDigit(name[0]))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_'))
            {
                return false;
            }
        }

        return true;
    }
}
