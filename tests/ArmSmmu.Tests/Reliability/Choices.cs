namespace ArmSmmu.Tests.Reliability;

/// <summary>
/// A program for the harnesses as a flat list of numbers: every random decision takes the next one. CsCheck shrinks
/// the list (fewer, smaller numbers), which shrinks the program to the operations a failure needs.
/// </summary>
internal sealed class Choices(uint[] values)
{
    private int _next;

    /// <summary>Numbers left; the program ends when it runs out.</summary>
    public bool More => _next < values.Length;

    /// <summary>The next number reduced to [0, <paramref name="count"/>); 0 once the list is exhausted.</summary>
    public int Next(int count)
    {
        uint value = _next < values.Length ? values[_next++] : 0;
        return count <= 1 ? 0 : (int)(value % (uint)count);
    }

    public bool Coin() => Next(2) == 1;

    public T Pick<T>(IReadOnlyList<T> items) => items[Next(items.Count)];
}
