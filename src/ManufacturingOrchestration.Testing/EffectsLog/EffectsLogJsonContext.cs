using System.Text.Json.Serialization;

namespace ManufacturingOrchestration.Testing;

/// <summary>Source-generated JSON for effects-log lines.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    RespectNullableAnnotations = true)]
[JsonSerializable(typeof(EffectRecord))]
internal sealed partial class EffectsLogJsonContext : JsonSerializerContext
{
}
