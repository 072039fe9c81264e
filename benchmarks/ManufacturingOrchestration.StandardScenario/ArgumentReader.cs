using System.Globalization;

namespace ManufacturingOrchestration.StandardScenario;

/// <summary>
/// Reads a runner's command line option by option: the option, its value when it takes one, numbers in the invariant
/// culture, and one message for what is wrong ("--lots needs a value.", "Unknown option '--x'.", a malformed number).
/// </summary>
public sealed class ArgumentReader
{
    private readonly string[] _args;
    private int _index = -1;

    private ArgumentReader(string[] args) => _args = args;

    /// <summary>The option being read.</summary>
    public string Option => _args[_index];

    /// <summary>Reads every option with <paramref name="apply"/>, which returns <see langword="false"/> for an option it does not know.</summary>
    /// <param name="args">The command line.</param>
    /// <param name="apply">Applies the current option, reading its value if it takes one.</param>
    /// <returns>The first problem, or <see langword="null"/> when every option was read.</returns>
    public static string? Read(string[] args, Func<ArgumentReader, bool> apply)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(apply);
        var reader = new ArgumentReader(args);
        while (++reader._index < args.Length)
        {
            try
            {
                if (!apply(reader))
                {
                    return $"Unknown option '{reader.Option}'.";
                }
            }
            catch (FormatException ex)
            {
                return ex.Message;
            }
        }

        return null;
    }

    /// <summary>The option's value: the next argument.</summary>
    /// <returns>The value.</returns>
    /// <exception cref="FormatException">The option is the last argument.</exception>
    public string Value()
    {
        var option = Option;
        return _index + 1 < _args.Length ? _args[++_index] : throw new FormatException($"{option} needs a value.");
    }

    /// <summary>The option's value as an integer.</summary>
    /// <returns>The value.</returns>
    /// <exception cref="FormatException">The value is missing or not an integer.</exception>
    public int IntValue() => int.Parse(Value(), NumberStyles.Integer, CultureInfo.InvariantCulture);

    /// <summary>The option's value as a number.</summary>
    /// <returns>The value.</returns>
    /// <exception cref="FormatException">The value is missing or not a number.</exception>
    public double DoubleValue() => double.Parse(Value(), NumberStyles.Float, CultureInfo.InvariantCulture);
}
