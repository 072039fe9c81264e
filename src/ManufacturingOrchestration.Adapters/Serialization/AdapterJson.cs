using System.Text.Json;

namespace ManufacturingOrchestration.Adapters.Serialization;

/// <summary>
/// The JSON contract of the library's adapter commands and query results: the source-generated
/// <see cref="AdapterJsonContext"/> (no reflection). Commands are written and read back by kind through the
/// <see cref="OperationRegistry"/>, which uses this context for the built-in ones.
/// </summary>
public static class AdapterJson
{
    /// <summary>The source-generated context.</summary>
    public static AdapterJsonContext Context { get; } = AdapterJsonContext.Default;

    /// <summary>Read-only options for every built-in adapter request and query result, resolved by <see cref="Context"/>.</summary>
    public static JsonSerializerOptions Options => Context.Options;
}
