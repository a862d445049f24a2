using System.Buffers.Binary;

namespace NativeTrustRegion.Experiments.Tests.Fuzz;

/// <summary>
/// Deterministic, seeded mutations of a valid file, in the spirit of a fuzzer's havoc stage: bit flips, interesting
/// byte values, 32/64-bit length fields overwritten with huge or off-by-one values, truncations, inserted, deleted
/// and duplicated ranges, and (for text formats) digits and punctuation changed. Case k of a seed is always the same.
/// </summary>
internal static class ByteMutator
{
    private static readonly long[] InterestingIntegers =
    [
        0, 1, -1, 7, 8, 255, 256, 65535, int.MaxValue, (long)int.MaxValue + 1, uint.MaxValue, 1L << 40, 1L << 60, long.MaxValue, long.MinValue,
    ];

    private static readonly byte[] InterestingBytes = [0x00, 0x01, 0x7F, 0x80, 0xFF, (byte)'"', (byte)'{', (byte)'}', (byte)'[', (byte)']', (byte)',', (byte)':', (byte)'-', (byte)'9', (byte)'e'];

    public static byte[] Mutate(byte[] valid, int caseIndex)
    {
        var random = new Random(unchecked(caseIndex * 7919 + 17));
        var bytes = valid.ToList();
        int rounds = 1 + random.Next(caseIndex % 4 == 0 ? 8 : 2);
        for (int r = 0; r < rounds; r++)
        {
            Apply(bytes, random, valid.Length);
        }
        return bytes.ToArray();
    }

    private static void Apply(List<byte> bytes, Random random, int originalLength)
    {
        int Pick() => bytes.Count == 0 ? 0 : random.Next(bytes.Count);
        switch (random.Next(10))
        {
            case 0: // flip one bit
                if (bytes.Count > 0)
                {
                    int i = Pick();
                    bytes[i] ^= (byte)(1 << random.Next(8));
                }
                break;
            case 1: // an interesting byte
                if (bytes.Count > 0)
                {
                    bytes[Pick()] = InterestingBytes[random.Next(InterestingBytes.Length)];
                }
                break;
            case 2: // a random byte
                if (bytes.Count > 0)
                {
                    bytes[Pick()] = (byte)random.Next(256);
                }
                break;
            case 3: // truncate
                {
                    int cut = random.Next(bytes.Count + 1);
                    bytes.RemoveRange(cut, bytes.Count - cut);
                    break;
                }
            case 4: // a 64-bit length field (aligned in the first bytes half the time: headers live there)
            case 5: // a 32-bit length field
                {
                    int width = random.Next(10) < 5 ? 8 : 4;
                    if (bytes.Count < width)
                    {
                        break;
                    }
                    int at = random.Next(2) == 0 ? random.Next(Math.Min(64, bytes.Count - width + 1)) : random.Next(bytes.Count - width + 1);
                    long value = random.Next(3) == 0
                        ? originalLength + random.Next(-9, 10)
                        : InterestingIntegers[random.Next(InterestingIntegers.Length)];
                    Span<byte> field = stackalloc byte[8];
                    BinaryPrimitives.WriteInt64LittleEndian(field, value);
                    for (int k = 0; k < width; k++)
                    {
                        bytes[at + k] = field[k];
                    }
                    break;
                }
            case 6: // insert random bytes
                {
                    int at = random.Next(bytes.Count + 1);
                    var insert = new byte[1 + random.Next(16)];
                    random.NextBytes(insert);
                    bytes.InsertRange(at, insert);
                    break;
                }
            case 7: // delete a range
                if (bytes.Count > 0)
                {
                    int at = Pick();
                    bytes.RemoveRange(at, Math.Min(bytes.Count - at, 1 + random.Next(32)));
                }
                break;
            case 8: // duplicate a range
                if (bytes.Count > 0)
                {
                    int at = Pick();
                    int n = Math.Min(bytes.Count - at, 1 + random.Next(64));
                    bytes.InsertRange(random.Next(bytes.Count + 1), bytes.GetRange(at, n));
                }
                break;
            default: // text: a digit becomes other digits (numbers grow, signs appear)
                {
                    var digits = Enumerable.Range(0, bytes.Count).Where(i => bytes[i] is >= (byte)'0' and <= (byte)'9').ToArray();
                    if (digits.Length == 0)
                    {
                        break;
                    }
                    int at = digits[random.Next(digits.Length)];
                    string[] replacements = ["99999999999999999999", "-1", "1e400", "0", "4294967296", "2147483648", "-0", "NaN", "1.5"];
                    bytes.RemoveAt(at);
                    bytes.InsertRange(at, System.Text.Encoding.ASCII.GetBytes(replacements[random.Next(replacements.Length)]));
                    break;
                }
        }
    }
}
