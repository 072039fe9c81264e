using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace ManufacturingOrchestration.Model.Serialization;

/// <summary>
/// The one set of JSON settings for model objects. The engine, adapters and stores serialize model types with
/// <see cref="Options"/> (or the typed metadata of <see cref="Context"/>) so that every component writes the same JSON.
/// </summary>
public static class ModelJson
{
    /// <summary>The source-generated context of every model type; chain it into other options as a resolver.</summary>
    public static JsonSerializerContext Context => ModelJsonContext.Default;

    /// <summary>Read-only options bound to <see cref="Context"/>; pass them to <see cref="JsonSerializer"/> for any model type.</summary>
    public static JsonSerializerOptions Options => Context.Options;

    /// <summary>
    /// Creates a new, mutable copy of <see cref="Options"/>, for a component that also serializes its own types:
    /// add its own source-generated context to <see cref="JsonSerializerOptions.TypeInfoResolverChain"/>.
    /// </summary>
    /// <param name="additionalResolvers">Resolvers consulted after the model's, such as another source-generated context.</param>
    /// <returns>The options.</returns>
    public static JsonSerializerOptions CreateOptions(params IJsonTypeInfoResolver[] additionalResolvers)
    {
        ArgumentNullException.ThrowIfNull(additionalResolvers);
        var options = new JsonSerializerOptions(ModelJsonContext.Default.Options);
        options.TypeInfoResolverChain.Clear();
        options.TypeInfoResolverChain.Add(ModelJsonContext.Default);
        foreach (var resolver in additionalResolvers)
        {
            ArgumentNullException.ThrowIfNull(resolver);
            options.TypeInfoResolverChain.Add(resolver);
        }

        return options;
    }

    /// <summary>The typed, source-generated metadata of <typeparamref name="T"/> under <see cref="Options"/>, for hot paths.</summary>
    /// <typeparam name="T">A model type.</typeparam>
    /// <returns>The metadata (cached).</returns>
    /// <exception cref="NotSupportedException">The type is not part of the model context.</exception>
    public static JsonTypeInfo<T> TypeInfo<T>() => TypeInfoCache<T>.Value;

    private static class TypeInfoCache<T>
    {
        public static readonly JsonTypeInfo<T> Value = (JsonTypeInfo<T>)ModelJsonContext.Default.Options.GetTypeInfo(typeof(T));
    }
}
