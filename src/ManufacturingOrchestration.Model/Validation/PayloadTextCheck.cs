using System.Collections;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace ManufacturingOrchestration.Model.Validation;

/// <summary>
/// Holds a typed payload to what its JSON form will be held to when it is read back: every string well-formed Unicode
/// (so it is stored exactly, not with U+FFFD in place of an unpaired surrogate) and no nesting deeper than
/// <see cref="Events.EventEnvelope.MaxDepth"/>, counted as in the JSON form (the envelope is level 1, the payload 2).
/// Walks the payload through its source-generated JSON metadata, so it sees what the serializer would write.
/// </summary>
internal static class PayloadTextCheck
{
    public static void Check(object payload, JsonTypeInfo typeInfo, List<ValidationError> errors)
    {
        var path = new JsonPathBuilder("$.data");
        try
        {
            Walk(payload, typeInfo, path, 1, errors);
        }
        catch (Exception exception) when (exception is NotSupportedException or InvalidOperationException or ArgumentException)
        {
            errors.Add(new ValidationError(path.Build(), ReasonCodes.WrongType, $"The payload cannot be written as JSON: {exception.Message}"));
        }
    }

    private static void Walk(object? value, JsonTypeInfo typeInfo, JsonPathBuilder path, int enclosingDepth, List<ValidationError> errors)
    {
        switch (value)
        {
            case null:
                return;
            case string text:
                CheckString(text, path, errors);
                return;
            case JsonElement element:
                CheckElement(element, path, enclosingDepth, errors);
                return;
        }

        if (typeInfo.Kind == JsonTypeInfoKind.None)
        {
            // Scalars and values with their own converter (identifiers, quantities, roles) are validated when made.
            return;
        }

        if (enclosingDepth + 1 > Events.EventEnvelope.MaxDepth)
        {
            errors.Add(new ValidationError(path.Build(), ReasonCodes.TooDeep, string.Create(CultureInfo.InvariantCulture, $"The value nests deeper than {Events.EventEnvelope.MaxDepth} levels.")));
            return;
        }

        var options = typeInfo.Options;
        switch (typeInfo.Kind)
        {
            case JsonTypeInfoKind.Object:
                foreach (var property in typeInfo.Properties)
                {
                    if (property.Get is null)
                    {
                        continue;
                    }

                    var member = property.Get(value);
                    if (member is null)
                    {
                        continue;
                    }

                    if (property.IsExtensionData)
                    {
                        // Extension members are written as members of this object, not nested in one.
                        if (member is IEnumerable<KeyValuePair<string, JsonElement>> additional)
                        {
                            foreach (var (name, element) in additional)
                            {
                                path.Push(FreeText.Escape(name));
                                CheckString(name, path, errors);
                                CheckElement(element, path, enclosingDepth + 1, errors);
                                path.Pop();
                            }
                        }

                        continue;
                    }

                    path.Push(property.Name);
                    Walk(member, TypeInfoOf(member, property.PropertyType, options), path, enclosingDepth + 1, errors);
                    path.Pop();
                }

                return;
            case JsonTypeInfoKind.Dictionary when value is IDictionary dictionary:
                foreach (DictionaryEntry entry in dictionary)
                {
                    var key = entry.Key as string ?? Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? string.Empty;
                    path.Push(FreeText.Escape(key));
                    CheckString(key, path, errors);
                    if (entry.Value is { } item)
                    {
                        Walk(item, TypeInfoOf(item, typeInfo.ElementType!, options), path, enclosingDepth + 1, errors);
                    }

                    path.Pop();
                }

                return;
            case JsonTypeInfoKind.Enumerable when value is IEnumerable items:
                var index = 0;
                foreach (var item in items)
                {
                    path.Push(index++);
                    if (item is not null)
                    {
                        Walk(item, TypeInfoOf(item, typeInfo.ElementType!, options), path, enclosingDepth + 1, errors);
                    }

                    path.Pop();
                }

                return;
            default:
                return;
        }
    }

    private static JsonTypeInfo TypeInfoOf(object value, Type declared, JsonSerializerOptions options)
    {
        var type = value.GetType();
        return type == declared || declared.IsValueType || !options.TryGetTypeInfo(type, out var runtime) ? options.GetTypeInfo(declared) : runtime;
    }

    private static void CheckString(string text, JsonPathBuilder path, List<ValidationError> errors)
    {
        if (FreeText.IndexOfUnpairedSurrogate(text) is var index and >= 0)
        {
            errors.Add(new ValidationError(path.Build(), ReasonCodes.InvalidEncoding, string.Create(CultureInfo.InvariantCulture, $"The text is not well-formed Unicode: an unpaired surrogate is at index {index}.")));
        }
    }

    private static void CheckElement(JsonElement element, JsonPathBuilder path, int enclosingDepth, List<ValidationError> errors)
    {
        if (element.ValueKind == JsonValueKind.Undefined)
        {
            errors.Add(new ValidationError(path.Build(), ReasonCodes.Required, "The JSON value is missing (a default JsonElement)."));
            return;
        }

        JsonTextCheck.Check(element, path, enclosingDepth, Events.EventEnvelope.MaxDepth, errors);
    }
}
