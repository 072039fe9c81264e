using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Unicode;

namespace ManufacturingOrchestration.Model.Validation;

/// <summary>
/// Checks a JSON value the way every intake path must before anything reads its strings: every string and member name
/// is well-formed Unicode (no invalid UTF-8, no unpaired <c>\uD800</c> escape) and nothing nests deeper than the depth
/// limit. Reports problems with their paths instead of throwing, so the JSON reader never throws on them later.
/// </summary>
internal static class JsonTextCheck
{
    /// <summary>The most problems reported for one value: enough to fix the input, bounded for hostile input.</summary>
    private const int MaxErrors = 16;

    /// <summary>Checks a value.</summary>
    /// <param name="element">The value.</param>
    /// <param name="path">The value's path; restored on return.</param>
    /// <param name="enclosingDepth">How many objects and arrays enclose the value in its whole event (0 for the event itself).</param>
    /// <param name="maxDepth">The deepest nesting allowed.</param>
    /// <param name="errors">Where problems are added.</param>
    /// <returns><see langword="true"/> when no problem was found.</returns>
    public static bool Check(JsonElement element, JsonPathBuilder path, int enclosingDepth, int maxDepth, List<ValidationError> errors)
    {
        var before = errors.Count;
        Walk(element, path, enclosingDepth, maxDepth, errors, before);
        return errors.Count == before;
    }

    /// <summary>The nesting of a value: 0 for a scalar, 1 for an object or array of scalars, and so on, counted up to <paramref name="limit"/> + 1.</summary>
    public static int DepthOf(JsonElement element, int limit)
    {
        if (element.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array))
        {
            return 0;
        }

        if (limit <= 0)
        {
            return 1;
        }

        var deepest = 0;
        if (element.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in element.EnumerateObject())
            {
                deepest = Math.Max(deepest, DepthOf(property.Value, limit - 1));
            }
        }
        else
        {
            foreach (var item in element.EnumerateArray())
            {
                deepest = Math.Max(deepest, DepthOf(item, limit - 1));
            }
        }

        return deepest + 1;
    }

    private static void Walk(JsonElement element, JsonPathBuilder path, int enclosingDepth, int maxDepth, List<ValidationError> errors, int before)
    {
        if (errors.Count - before >= MaxErrors)
        {
            return;
        }

        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                if (!IsReadable(JsonMarshal.GetRawUtf8Value(element), element))
                {
                    errors.Add(new ValidationError(path.Build(), ReasonCodes.InvalidEncoding, "The string is not well-formed Unicode (an unpaired surrogate or invalid UTF-8)."));
                }

                return;
            case JsonValueKind.Object or JsonValueKind.Array when enclosingDepth + 1 > maxDepth:
                errors.Add(new ValidationError(path.Build(), ReasonCodes.TooDeep, string.Create(CultureInfo.InvariantCulture, $"The value nests deeper than {maxDepth} levels.")));
                return;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    var nameReadable = IsReadableName(property);
                    path.Push(nameReadable ? property.Name : "\uFFFD");
                    if (!nameReadable && errors.Count - before < MaxErrors)
                    {
                        errors.Add(new ValidationError(path.Build(), ReasonCodes.InvalidEncoding, "The member name is not well-formed Unicode (an unpaired surrogate or invalid UTF-8)."));
                    }

                    Walk(property.Value, path, enclosingDepth + 1, maxDepth, errors, before);
                    path.Pop();
                }

                return;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    path.Push(index++);
                    Walk(item, path, enclosingDepth + 1, maxDepth, errors, before);
                    path.Pop();
                }

                return;
            default:
                return;
        }
    }

    private static bool IsReadableName(JsonProperty property)
    {
        var raw = JsonMarshal.GetRawUtf8PropertyName(property);
        if (raw.IndexOf((byte)'\\') < 0)
        {
            return Utf8.IsValid(raw);
        }

        try
        {
            return FreeText.IsWellFormed(property.Name);
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static bool IsReadable(ReadOnlySpan<byte> raw, JsonElement element)
    {
        // Without escapes the raw bytes are the text: valid UTF-8 is enough. With escapes, decode and look.
        if (raw.IndexOf((byte)'\\') < 0)
        {
            return Utf8.IsValid(raw);
        }

        try
        {
            return FreeText.IsWellFormed(element.GetString());
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
