using System.Reflection;
using ArmSmmu.Structures;

namespace ArmSmmu.Tests.Structures;

/// <summary>
/// Properties every generated record must have, read from the same field table (*.table.md) the generator used (the generated
/// Layout metadata): setting a field to all-ones sets exactly bits [hi:lo] of its word, clearing it clears exactly
/// those bits, and fields do not share bits unless declared as aliases or the record holds per-opcode views. The
/// spec positions themselves are checked independently in <see cref="FieldLayoutTests"/>.
/// </summary>
public class GeneratedLayoutTests
{
    public static TheoryData<Type> Records => new()
    {
        typeof(StreamTableEntry),
        typeof(ContextDescriptor),
        typeof(L1StreamTableDescriptor),
        typeof(L1ContextDescriptor),
        typeof(Command),
        typeof(EventRecord),
        typeof(PriQueueEntry),
    };

    public static TheoryData<Type> Registers => new()
    {
        typeof(Cr0Register), typeof(Cr1Register), typeof(Cr2Register), typeof(GbpaRegister), typeof(GerrorRegister),
        typeof(IrqCtrlRegister), typeof(Idr0Register), typeof(Idr1Register), typeof(Idr2Register), typeof(Idr3Register),
        typeof(Idr5Register), typeof(IidrRegister), typeof(AidrRegister), typeof(SIdr0Register), typeof(SIdr1Register), typeof(StreamTableBaseRegister),
        typeof(StreamTableBaseCfgRegister), typeof(QueueBaseRegister), typeof(IrqCfg0Register), typeof(IrqCfg2Register),
    };

    private static RecordField[] Layout(Type record) =>
        (RecordField[])record.GetField("Layout", BindingFlags.NonPublic | BindingFlags.Static)!.GetValue(null)!;

    private static ulong FieldMask(RecordField f) => (f.Hi - f.Lo == 63 ? ulong.MaxValue : (1UL << (f.Hi - f.Lo + 1)) - 1) << f.Lo;

    // Registers have no Size: one word, as wide as their Value (32 or 64 bits).
    private static int WordCount(Type record) => record.GetField("Size") is FieldInfo size ? (int)size.GetValue(null)! / 8 : 1;

    private static Type ValueType(Type record) => record.GetProperty("Value")!.PropertyType;

    private static ulong ValueMask(Type record) => ValueType(record) == typeof(uint) ? uint.MaxValue : ulong.MaxValue;

    private static ulong[] Words(object record) => record.GetType().GetMethod("ToArray") is MethodInfo toArray
        ? (ulong[])toArray.Invoke(record, null)!
        : [Convert.ToUInt64(record.GetType().GetProperty("Value")!.GetValue(record)!, System.Globalization.CultureInfo.InvariantCulture)];

    private static object FromWords(Type record, ulong[] words) => words.Length == 1
        ? Activator.CreateInstance(record, Convert.ChangeType(words[0] & ValueMask(record), ValueType(record), System.Globalization.CultureInfo.InvariantCulture))!
        : Activator.CreateInstance(record, words.Cast<object>().ToArray())!;

    // The value a property takes when every bit of its field is one (address fields keep the bits in place).
    private static object AllOnes(PropertyInfo property, RecordField f)
    {
        ulong field = FieldMask(f) >> f.Lo;
        Type t = property.PropertyType;
        return t == typeof(bool) ? true
            : f.Address ? FieldMask(f)
            : t.IsEnum ? Enum.ToObject(t, field)
            : Convert.ChangeType(field, t, System.Globalization.CultureInfo.InvariantCulture);
    }

    private static object Zero(PropertyInfo property) => property.PropertyType == typeof(bool) ? false
        : property.PropertyType.IsEnum ? Enum.ToObject(property.PropertyType, 0)
        : Convert.ChangeType(0UL, property.PropertyType, System.Globalization.CultureInfo.InvariantCulture);

    [Theory]
    [MemberData(nameof(Records))]
    [MemberData(nameof(Registers))]
    public void Setting_a_field_to_all_ones_sets_exactly_its_bits(Type record)
    {
        int words = WordCount(record);
        foreach (RecordField f in Layout(record))
        {
            PropertyInfo property = record.GetProperty(f.Property)!;
            object boxed = FromWords(record, new ulong[words]);
            property.SetValue(boxed, AllOnes(property, f));
            ulong[] expected = new ulong[words];
            expected[f.Word] = FieldMask(f);
            Assert.True(expected.SequenceEqual(Words(boxed)), $"{record.Name}.{f.Property} set");
            Assert.Equal(AllOnes(property, f), property.GetValue(boxed));

            ulong ones = words == 1 ? ValueMask(record) : ulong.MaxValue;
            object full = FromWords(record, Enumerable.Repeat(ones, words).ToArray());
            property.SetValue(full, Zero(property));
            expected = Enumerable.Repeat(ones, words).ToArray();
            expected[f.Word] = ones & ~FieldMask(f);
            Assert.True(expected.SequenceEqual(Words(full)), $"{record.Name}.{f.Property} clear");
        }
    }

    [Theory]
    [MemberData(nameof(Records))]
    [MemberData(nameof(Registers))]
    public void Fields_do_not_overlap_unless_declared(Type record)
    {
        if ((bool)record.GetField("FieldsMayOverlap", BindingFlags.NonPublic | BindingFlags.Static)!.GetValue(null)!)
        {
            return; // Command and EventRecord: each opcode or event type reads its own view of the same bits.
        }

        RecordField[] layout = Layout(record);
        foreach (RecordField a in layout)
        {
            foreach (RecordField b in layout.Where(b => b.Property != a.Property && b.Word == a.Word))
            {
                bool declared = a.Alias == b.Property || b.Alias == a.Property;
                Assert.True(declared || (FieldMask(a) & FieldMask(b)) == 0, $"{record.Name}: {a.Property} overlaps {b.Property}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Records))]
    public void TryWrite_then_TryRead_round_trips_every_word(Type record)
    {
        int words = WordCount(record);
        var memory = new SparseMemory();
        ulong[] pattern = Enumerable.Range(0, words).Select(i => 0x0123_4567_89AB_CDEFUL * (ulong)(i + 1)).ToArray();
        object value = FromWords(record, pattern);
        Assert.True((bool)record.GetMethod("TryWrite")!.Invoke(value, [memory, 0x1000UL])!);
        for (int i = 0; i < words; i++)
        {
            Assert.True(memory.TryReadUInt64(0x1000UL + ((ulong)i * 8), out ulong w));
            Assert.Equal(pattern[i], w);
        }

        object?[] args = [memory, 0x1000UL, null];
        Assert.True((bool)record.GetMethod("TryRead")!.Invoke(null, args)!);
        Assert.Equal(value, args[2]);
    }
}
