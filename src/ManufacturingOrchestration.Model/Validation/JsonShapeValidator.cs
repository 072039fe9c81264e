using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace ManufacturingOrchestration.Model.Validation;

/// <summary>
/// Checks a JSON value against the shape a payload type expects, reporting every problem found (wrong JSON types,
/// missing required members, nulls where none are allowed, invalid identifiers, enum names, units, negative
/// quantities) with its path, without deserializing and without exceptions. The shape of a type is derived once
/// from its source-generated <see cref="JsonTypeInfo"/> and cached.
/// </summary>
internal static class JsonShapeValidator
{
    private static readonly ConditionalWeakTable<JsonSerializerOptions, ConcurrentDictionary<Type, Shape>> Cache = [];

    public static void Validate(JsonElement element, JsonTypeInfo typeInfo, JsonPathBuilder path, List<ValidationError> errors)
    {
        var walk = new Walk(path, errors, typeInfo.Options);
        walk.ShapeOf(typeInfo.Type).Check(element, walk);
    }

    internal sealed class Walk(JsonPathBuilder path, List<ValidationError> errors, JsonSerializerOptions options)
    {
        private readonly ConcurrentDictionary<Type, Shape> _shapes = Cache.GetValue(options, static _ => new());

        public JsonPathBuilder Path { get; } = path;

        public JsonSerializerOptions Options { get; } = options;

        public void Error(ReasonCode code, string message, string? leaf = null) => errors.Add(new ValidationError(Path.Build(leaf), code, message));

        public void WrongType(JsonElement element, string expected) =>
            Error(ReasonCodes.WrongType, $"Expected {expected}, found {Describe(element.ValueKind)}.");

        public Shape ShapeOf(Type type) => _shapes.TryGetValue(type, out var shape) ? shape : _shapes.GetOrAdd(type, static (t, o) => Build(t, o), Options);
    }

    internal abstract class Shape
    {
        public abstract void Check(JsonElement element, Walk walk);
    }

    private static Shape Build(Type type, JsonSerializerOptions options)
    {
        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            return new NullableShape(underlying);
        }

        if (type == typeof(string))
        {
            return StringShape.Instance;
        }

        if (type == typeof(bool))
        {
            return BooleanShape.Instance;
        }

        if (IntegerShape.TryCreate(type) is { } integer)
        {
            return integer;
        }

        if (type == typeof(decimal) || type == typeof(double) || type == typeof(float))
        {
            return new NumberShape(type);
        }

        if (type == typeof(DateTimeOffset) || type == typeof(DateTime) || type == typeof(DateOnly) || type == typeof(TimeOnly)
            || type == typeof(TimeSpan) || type == typeof(Guid) || type == typeof(Uri))
        {
            return new FormattedStringShape(type);
        }

        if (type == typeof(Quantity))
        {
            return QuantityShape.Instance;
        }

        if (type == typeof(UnitOfMeasure))
        {
            return UnitShape.Instance;
        }

        if (type == typeof(Role))
        {
            return new IdentifierShape("role");
        }

        if (type == typeof(JsonElement) || type == typeof(object) || typeof(JsonNode).IsAssignableFrom(type))
        {
            return AnyShape.Instance;
        }

        var modelAssembly = typeof(Quantity).Assembly;
        if (type.IsEnum && type.Assembly == modelAssembly)
        {
            return new EnumShape(type);
        }

        if (type.IsValueType && type.Assembly == modelAssembly && IdentifierShape.KindOf(type) is { } kind)
        {
            return new IdentifierShape(kind);
        }

        var typeInfo = options.GetTypeInfo(type);
        return typeInfo.Kind switch
        {
            JsonTypeInfoKind.Object => new ObjectShape(typeInfo),
            JsonTypeInfoKind.Enumerable => new ArrayShape(typeInfo.ElementType!),
            JsonTypeInfoKind.Dictionary => new DictionaryShape(typeInfo.KeyType!, typeInfo.ElementType!),
            _ => new FallbackShape(typeInfo),
        };
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    private sealed class NullableShape(Type underlying) : Shape
    {
        public override void Check(JsonElement element, Walk walk)
        {
            if (element.ValueKind != JsonValueKind.Null)
            {
                walk.ShapeOf(underlying).Check(element, walk);
            }
        }
    }

    private sealed class AnyShape : Shape
    {
        public static readonly AnyShape Instance = new();

        public override void Check(JsonElement element, Walk walk)
        {
        }
    }

    private sealed class StringShape : Shape
    {
        public static readonly StringShape Instance = new();

        public override void Check(JsonElement element, Walk walk)
        {
            if (element.ValueKind != JsonValueKind.String)
            {
                walk.WrongType(element, "a string");
            }
        }
    }

    private sealed class BooleanShape : Shape
    {
        public static readonly BooleanShape Instance = new();

        public override void Check(JsonElement element, Walk walk)
        {
            if (element.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                walk.WrongType(element, "a boolean");
            }
        }
    }

    private sealed class IntegerShape(long min, ulong max) : Shape
    {
        public static IntegerShape? TryCreate(Type type) =>
            type == typeof(int) ? new(int.MinValue, int.MaxValue)
            : type == typeof(long) ? new(long.MinValue, long.MaxValue)
            : type == typeof(short) ? new(short.MinValue, (ulong)short.MaxValue)
            : type == typeof(byte) ? new(byte.MinValue, byte.MaxValue)
            : type == typeof(sbyte) ? new(sbyte.MinValue, (ulong)sbyte.MaxValue)
            : type == typeof(ushort) ? new(ushort.MinValue, ushort.MaxValue)
            : type == typeof(uint) ? new(uint.MinValue, uint.MaxValue)
            : type == typeof(ulong) ? new(0, ulong.MaxValue)
            : null;

        public override void Check(JsonElement element, Walk walk)
        {
            if (element.ValueKind != JsonValueKind.Number)
            {
                walk.WrongType(element, "an integer");
                return;
            }

            var inRange = element.TryGetInt64(out var signed)
                ? signed >= min && (signed < 0 || (ulong)signed <= max)
                : element.TryGetUInt64(out var unsigned) && unsigned <= max;
            if (!inRange)
            {
                walk.Error(ReasonCodes.WrongType, $"Expected an integer between {min.ToString(CultureInfo.InvariantCulture)} and {max.ToString(CultureInfo.InvariantCulture)}.");
            }
        }
    }

    private sealed class NumberShape(Type type) : Shape
    {
        public override void Check(JsonElement element, Walk walk)
        {
            if (element.ValueKind != JsonValueKind.Number)
            {
                walk.WrongType(element, "a number");
                return;
            }

            var readable = type == typeof(decimal) ? element.TryGetDecimal(out _)
                : type == typeof(double) ? element.TryGetDouble(out var d) && double.IsFinite(d)
                : element.TryGetSingle(out var f) && float.IsFinite(f);
            if (!readable)
            {
                walk.Error(ReasonCodes.WrongType, "The number is out of range.");
            }
        }
    }

    private sealed class FormattedStringShape(Type type) : Shape
    {
        public override void Check(JsonElement element, Walk walk)
        {
            var expected = type == typeof(DateTimeOffset) || type == typeof(DateTime) ? "an RFC 3339 date-time string"
                : type == typeof(DateOnly) ? "a yyyy-MM-dd date string"
                : type == typeof(Uri) ? "a URI string"
                : $"a {type.Name} string";
            if (element.ValueKind != JsonValueKind.String)
            {
                walk.WrongType(element, expected);
                return;
            }

            var ok = type == typeof(DateTimeOffset) ? element.TryGetDateTimeOffset(out _)
                : type == typeof(DateTime) ? element.TryGetDateTime(out _)
                : type == typeof(Guid) ? element.TryGetGuid(out _)
                : type == typeof(DateOnly) ? DateOnly.TryParseExact(element.GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _)
                : type == typeof(TimeOnly) ? TimeOnly.TryParse(element.GetString(), CultureInfo.InvariantCulture, out _)
                : type == typeof(TimeSpan) ? TimeSpan.TryParse(element.GetString(), CultureInfo.InvariantCulture, out _)
                : Uri.TryCreate(element.GetString(), UriKind.RelativeOrAbsolute, out _);
            if (!ok)
            {
                walk.Error(ReasonCodes.WrongType, $"Expected {expected}.");
            }
        }
    }

    private sealed class IdentifierShape(string kind) : Shape
    {
        public static string? KindOf(Type type)
        {
            foreach (var candidate in type.GetInterfaces())
            {
                if (candidate.IsGenericType && candidate.GetGenericTypeDefinition() == typeof(IIdentifier<>))
                {
                    return type.GetProperty("Kind")?.GetValue(null) as string;
                }
            }

            return null;
        }

        public override void Check(JsonElement element, Walk walk)
        {
            if (element.ValueKind != JsonValueKind.String)
            {
                walk.WrongType(element, $"a {kind} identifier string");
                return;
            }

            if (!Identifier.IsValid(element.GetString(), out var problem))
            {
                walk.Error(ReasonCodes.InvalidIdentifier, $"A {kind} identifier {problem}.");
            }
        }
    }

    private sealed class EnumShape : Shape
    {
        private readonly HashSet<string> _names = new(StringComparer.OrdinalIgnoreCase);
        private readonly string _list;

        public EnumShape(Type type)
        {
            var names = new List<string>();
            foreach (var name in Enum.GetNames(type))
            {
                var camel = JsonNamingPolicy.CamelCase.ConvertName(name);
                names.Add(camel);
                _names.Add(camel);
            }

            _list = string.Join(", ", names);
        }

        public override void Check(JsonElement element, Walk walk)
        {
            if (element.ValueKind != JsonValueKind.String)
            {
                walk.WrongType(element, $"one of the strings {_list}");
                return;
            }

            if (!_names.Contains(element.GetString()!))
            {
                walk.Error(ReasonCodes.OutOfRange, $"'{FreeText.Escape(element.GetString())}' is not one of {_list}.");
            }
        }
    }

    private sealed class UnitShape : Shape
    {
        public static readonly UnitShape Instance = new();

        public override void Check(JsonElement element, Walk walk)
        {
            if (element.ValueKind != JsonValueKind.Object)
            {
                walk.Error(ReasonCodes.InvalidUnit, $"A unit of measure is an object with 'code' and optional 'codeSystem', found {Describe(element.ValueKind)}.");
                return;
            }

            if (!element.TryGetProperty("code"u8, out var code) || code.ValueKind == JsonValueKind.Null)
            {
                walk.Error(ReasonCodes.InvalidUnit, "A unit of measure needs a code.", "code");
            }
            else if (code.ValueKind != JsonValueKind.String || !UnitOfMeasure.IsValidCode(code.GetString()))
            {
                walk.Error(ReasonCodes.InvalidUnit, "A unit code is 1–16 letters, digits or -_/% characters.", "code");
            }

            if (element.TryGetProperty("codeSystem"u8, out var system) && system.ValueKind != JsonValueKind.Null
                && (system.ValueKind != JsonValueKind.String || !UnitOfMeasure.IsValidCode(system.GetString())))
            {
                walk.Error(ReasonCodes.InvalidUnit, "A unit code system is 1–16 letters, digits or -_/% characters.", "codeSystem");
            }
        }
    }

    private sealed class QuantityShape : Shape
    {
        public static readonly QuantityShape Instance = new();

        public override void Check(JsonElement element, Walk walk)
        {
            if (element.ValueKind != JsonValueKind.Object)
            {
                walk.WrongType(element, "a quantity object with 'value' and 'unit'");
                return;
            }

            if (!element.TryGetProperty("value"u8, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                walk.Error(ReasonCodes.Required, "A quantity needs a value.", "value");
            }
            else if (value.ValueKind != JsonValueKind.Number || !value.TryGetDecimal(out var amount))
            {
                walk.Path.Push("value");
                walk.WrongType(value, "a decimal number");
                walk.Path.Pop();
            }
            else if (amount < 0)
            {
                walk.Error(ReasonCodes.NegativeQuantity, $"A quantity must not be negative (was {amount.ToString(CultureInfo.InvariantCulture)}).", "value");
            }

            if (!element.TryGetProperty("unit"u8, out var unit) || unit.ValueKind == JsonValueKind.Null)
            {
                walk.Error(ReasonCodes.InvalidUnit, "A quantity needs a unit of measure.", "unit");
            }
            else
            {
                walk.Path.Push("unit");
                UnitShape.Instance.Check(unit, walk);
                walk.Path.Pop();
            }
        }
    }

    private sealed class ArrayShape(Type elementType) : Shape
    {
        public override void Check(JsonElement element, Walk walk)
        {
            if (element.ValueKind != JsonValueKind.Array)
            {
                walk.WrongType(element, "an array");
                return;
            }

            var shape = walk.ShapeOf(elementType);
            var nullable = !elementType.IsValueType || Nullable.GetUnderlyingType(elementType) is not null;
            var index = 0;
            foreach (var item in element.EnumerateArray())
            {
                walk.Path.Push(index++);
                if (item.ValueKind == JsonValueKind.Null && !nullable)
                {
                    walk.Error(ReasonCodes.Required, "An item must not be null.");
                }
                else if (item.ValueKind != JsonValueKind.Null)
                {
                    shape.Check(item, walk);
                }

                walk.Path.Pop();
            }
        }
    }

    private sealed class DictionaryShape(Type keyType, Type valueType) : Shape
    {
        public override void Check(JsonElement element, Walk walk)
        {
            if (element.ValueKind != JsonValueKind.Object)
            {
                walk.WrongType(element, "an object");
                return;
            }

            var shape = walk.ShapeOf(valueType);
            var keyIsIdentifier = keyType != typeof(string);
            foreach (var property in element.EnumerateObject())
            {
                walk.Path.Push(property.Name);
                if (keyIsIdentifier && !Identifier.IsValid(property.Name, out var problem))
                {
                    walk.Error(ReasonCodes.InvalidIdentifier, $"A key {problem}.");
                }

                if (property.Value.ValueKind != JsonValueKind.Null)
                {
                    shape.Check(property.Value, walk);
                }
                else if (valueType.IsValueType && Nullable.GetUnderlyingType(valueType) is null)
                {
                    walk.Error(ReasonCodes.Required, "A value must not be null.");
                }

                walk.Path.Pop();
            }
        }
    }

    private sealed class ObjectShape : Shape
    {
        private readonly Member[] _members;

        public ObjectShape(JsonTypeInfo typeInfo)
        {
            var members = new List<Member>();
            foreach (var property in typeInfo.Properties)
            {
                if (property.IsExtensionData || (property.Set is null && property.AssociatedParameter is null))
                {
                    continue;
                }

                var parameter = property.AssociatedParameter;
                var required = property.IsRequired || (parameter is not null && !parameter.HasDefaultValue && !parameter.IsMemberInitializer);
                var nullable = Nullable.GetUnderlyingType(property.PropertyType) is not null
                    || (!property.PropertyType.IsValueType && (parameter?.IsNullable ?? property.IsSetNullable));
                members.Add(new Member(property.Name, Encoding.UTF8.GetBytes(property.Name), property.PropertyType, required, nullable));
            }

            _members = [.. members];
        }

        public override void Check(JsonElement element, Walk walk)
        {
            if (element.ValueKind != JsonValueKind.Object)
            {
                walk.WrongType(element, "an object");
                return;
            }

            foreach (var member in _members)
            {
                if (!element.TryGetProperty(member.Utf8Name, out var value))
                {
                    if (member.Required)
                    {
                        walk.Error(ReasonCodes.Required, $"The member '{member.Name}' is required.", member.Name);
                    }

                    continue;
                }

                if (value.ValueKind == JsonValueKind.Null)
                {
                    if (!member.Nullable)
                    {
                        walk.Error(ReasonCodes.Required, $"The member '{member.Name}' must not be null.", member.Name);
                    }

                    continue;
                }

                walk.Path.Push(member.Name);
                (member.Shape ??= walk.ShapeOf(member.Type)).Check(value, walk);
                walk.Path.Pop();
            }
        }

        private sealed record Member(string Name, byte[] Utf8Name, Type Type, bool Required, bool Nullable)
        {
            /// <summary>The member's shape, resolved on first use (shapes of one options instance never change).</summary>
            public Shape? Shape { get; set; }
        }
    }

    /// <summary>A type whose JSON form is decided by a custom converter: try to read it alone, once.</summary>
    private sealed class FallbackShape(JsonTypeInfo typeInfo) : Shape
    {
        public override void Check(JsonElement element, Walk walk)
        {
            try
            {
                _ = element.Deserialize(typeInfo);
            }
            catch (Exception exception) when (exception is JsonException or NotSupportedException or FormatException or InvalidOperationException or ArgumentException or ManufacturingOrchestrationException)
            {
                walk.Error(ReasonCodes.WrongType, $"The value cannot be read as {typeInfo.Type.Name}: {exception.Message}");
            }
        }
    }
}
