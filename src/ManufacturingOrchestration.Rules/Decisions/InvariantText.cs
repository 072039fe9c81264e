using System.Globalization;
using System.Reflection;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Rules;

/// <summary>
/// Writes the text of types declared outside the library (a user's own facts and decisions) with the invariant culture,
/// so the explanation the audit record keeps is the same bytes whatever the culture of the thread that wrote it: a
/// record's compiler-written <c>ToString</c>, or a <c>Describe</c> with an interpolated number or date, formats with the
/// current culture. The library's own types format invariantly themselves and pay nothing.
/// </summary>
internal static class InvariantText
{
    private static readonly Assembly RulesAssembly = typeof(InvariantText).Assembly;
    private static readonly Assembly ModelAssembly = typeof(MaterialLot).Assembly;

    /// <summary>A fact's <see cref="object.ToString"/>, with the invariant culture.</summary>
    public static string? ToString(object value)
    {
        using var scope = new InvariantCultureScope(value.GetType());
        return value.ToString();
    }

    /// <summary>A decision's <see cref="Decision.Describe"/>, with the invariant culture.</summary>
    public static string Describe(Decision decision)
    {
        using var scope = new InvariantCultureScope(decision.GetType());
        return decision.Describe();
    }

    /// <summary>Switches the thread to the invariant culture for a type of the library's users, and back when disposed.</summary>
    private readonly struct InvariantCultureScope : IDisposable
    {
        private readonly CultureInfo? _previous;

        public InvariantCultureScope(Type type)
        {
            var assembly = type.Assembly;
            if (ReferenceEquals(assembly, RulesAssembly) || ReferenceEquals(assembly, ModelAssembly))
            {
                return;
            }

            var current = CultureInfo.CurrentCulture;
            if (!ReferenceEquals(current, CultureInfo.InvariantCulture))
            {
                CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
                _previous = current;
            }
        }

        public void Dispose()
        {
            if (_previous is not null)
            {
                CultureInfo.CurrentCulture = _previous;
            }
        }
    }
}
