using System.Globalization;
using System.Text;

namespace NativeTrustRegion.Data;

/// <summary>
/// The header of a .npy file: element type, memory order and shape. Parses and formats the
/// preamble (magic "\x93NUMPY", version 1.0 / 2.0 / 3.0, header length, Python dict literal
/// such as <c>{'descr': '|u1', 'fortran_order': False, 'shape': (128, 3072), }</c>).
/// </summary>
public sealed record NpyHeader(NpyDataType DataType, bool FortranOrder, long[] Shape)
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    public long ElementCount => Shape.Aggregate(1L, (a, b) => checked(a * b));
    public long DataLength => checked(ElementCount * NpyDataTypes.SizeOf(DataType));
    public string ShapeText => "(" + string.Join(", ", Shape) + (Shape.Length == 1 ? ",)" : ")");

    /// <summary>Reads the preamble and leaves the stream at the first data byte.</summary>
    /// <param name="source">Name used in error messages (file, or file:entry).</param>
    public static NpyHeader Read(Stream stream, string source)
    {
        Span<byte> start = stackalloc byte[10];
        ReadExactly(stream, start, source, "the .npy preamble");
        if (!start[..6].SequenceEqual(Magic))
            throw new DatasetFormatException(source, "not a .npy array (missing the \\x93NUMPY magic bytes)");
        byte major = start[6];
        int headerLength;
        if (major == 1)
        {
            headerLength = start[8] | start[9] << 8;
        }
        else if (major is 2 or 3)
        {
            Span<byte> rest = stackalloc byte[2];
            ReadExactly(stream, rest, source, "the .npy header length");
            uint length = (uint)(start[8] | start[9] << 8 | rest[0] << 16 | rest[1] << 24);
            if (length > 1 << 20) throw new DatasetFormatException(source, $".npy header length {length} is implausible (file damaged?)");
            headerLength = (int)length;
        }
        else
        {
            throw new DatasetFormatException(source, $".npy format version {major}.{start[7]} is not supported (only 1.x, 2.x, 3.x)");
        }
        var headerBytes = new byte[headerLength];
        ReadExactly(stream, headerBytes, source, "the .npy header");
        string text = major == 3 ? Encoding.UTF8.GetString(headerBytes) : Encoding.Latin1.GetString(headerBytes);
        return Parse(text, source);
    }

    /// <summary>Parses the Python dict literal of a .npy header.</summary>
    public static NpyHeader Parse(string text, string source)
    {
        var parser = new DictLiteralParser(text, source);
        Dictionary<string, object> dict = parser.ParseDict();
        if (!dict.TryGetValue("descr", out object? descrValue) || descrValue is not string descr)
            throw new DatasetFormatException(source, $".npy header has no 'descr' string: {text.Trim()}");
        if (!dict.TryGetValue("fortran_order", out object? orderValue) || orderValue is not bool fortran)
            throw new DatasetFormatException(source, $".npy header has no 'fortran_order' flag: {text.Trim()}");
        if (!dict.TryGetValue("shape", out object? shapeValue) || shapeValue is not List<long> shape)
            throw new DatasetFormatException(source, $".npy header has no 'shape' tuple: {text.Trim()}");
        NpyDataType type = NpyDataTypes.TryParse(descr)
            ?? throw new DatasetFormatException(source, $".npy element type '{descr}' is not supported (supported: little-endian bool, u1..u8, i1..i8, f4, f8)");
        if (shape.Any(d => d < 0)) throw new DatasetFormatException(source, $".npy shape {text.Trim()} has a negative dimension");
        var header = new NpyHeader(type, fortran, shape.ToArray());
        try
        {
            _ = header.DataLength;
        }
        catch (OverflowException)
        {
            throw new DatasetFormatException(source, $".npy shape {header.ShapeText} holds more than 2^63 bytes (file damaged?)");
        }
        return header;
    }

    /// <summary>Writes a version 1.0 preamble padded (spaces, final newline) to a multiple of 64 bytes.</summary>
    public void Write(Stream stream)
    {
        string dict = $"{{'descr': '{NpyDataTypes.ToDescr(DataType)}', 'fortran_order': {(FortranOrder ? "True" : "False")}, 'shape': {ShapeText}, }}";
        int unpadded = Magic.Length + 2 + 2 + dict.Length + 1;
        int total = (unpadded + 63) / 64 * 64;
        string header = dict + new string(' ', total - unpadded) + "\n";
        if (header.Length > ushort.MaxValue) throw new InvalidOperationException("npy header too long for format 1.0");
        stream.Write(Magic);
        stream.WriteByte(1);
        stream.WriteByte(0);
        stream.WriteByte((byte)(header.Length & 0xFF));
        stream.WriteByte((byte)(header.Length >> 8));
        stream.Write(Encoding.Latin1.GetBytes(header));
    }

    internal static void ReadExactly(Stream stream, Span<byte> buffer, string source, string what)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int read;
            try { read = stream.Read(buffer[total..]); }
            catch (InvalidDataException e) { throw new DatasetFormatException(source, $"damaged data while reading {what}: {e.Message}", e); }
            if (read == 0)
                throw new DatasetFormatException(source, $"file ends early: {what} needs {buffer.Length} bytes, only {total} present (truncated download? fetch the file again)");
            total += read;
        }
    }

    /// <summary>Tiny parser for the subset of Python literals used in .npy headers.</summary>
    private ref struct DictLiteralParser(string text, string source)
    {
        private int position;

        public Dictionary<string, object> ParseDict()
        {
            var result = new Dictionary<string, object>(StringComparer.Ordinal);
            Expect('{');
            while (true)
            {
                SkipSpace();
                if (Peek() == '}') { position++; break; }
                string key = ParseString();
                Expect(':');
                result[key] = ParseValue();
                SkipSpace();
                char next = Peek();
                if (next == ',') { position++; continue; }
                if (next == '}') { position++; break; }
                throw Error($"expected ',' or '}}' at position {position}");
            }
            return result;
        }

        private object ParseValue()
        {
            SkipSpace();
            char c = Peek();
            if (c is '\'' or '"') return ParseString();
            if (c == '(') return ParseTuple();
            if (Match("True")) return true;
            if (Match("False")) return false;
            if (char.IsDigit(c)) return ParseInteger();
            throw Error($"unexpected '{c}' at position {position}");
        }

        private List<long> ParseTuple()
        {
            Expect('(');
            var items = new List<long>();
            while (true)
            {
                SkipSpace();
                if (Peek() == ')') { position++; return items; }
                items.Add(ParseInteger());
                SkipSpace();
                if (Peek() == ',') { position++; continue; }
                if (Peek() == ')') { position++; return items; }
                throw Error($"expected ',' or ')' in shape at position {position}");
            }
        }

        private long ParseInteger()
        {
            SkipSpace();
            int begin = position;
            while (position < text.Length && char.IsDigit(text[position])) position++;
            if (begin == position) throw Error($"expected an integer at position {position}");
            if (!long.TryParse(text.AsSpan(begin, position - begin), NumberStyles.None, CultureInfo.InvariantCulture, out long value))
                throw Error($"integer {text.Substring(begin, position - begin)} is too large");
            if (position < text.Length && text[position] is 'L' or 'l') position++; // Python 2 long suffix
            return value;
        }

        private string ParseString()
        {
            SkipSpace();
            char quote = Peek();
            if (quote is not ('\'' or '"')) throw Error($"expected a quoted string at position {position}");
            int end = text.IndexOf(quote, position + 1);
            if (end < 0) throw Error("unterminated string");
            string value = text.Substring(position + 1, end - position - 1);
            position = end + 1;
            return value;
        }

        private bool Match(string word)
        {
            if (string.CompareOrdinal(text, position, word, 0, word.Length) != 0) return false;
            position += word.Length;
            return true;
        }

        private void Expect(char c)
        {
            SkipSpace();
            if (Peek() != c) throw Error($"expected '{c}' at position {position}");
            position++;
        }

        private char Peek() => position < text.Length ? text[position] : '\0';

        private void SkipSpace()
        {
            while (position < text.Length && char.IsWhiteSpace(text[position])) position++;
        }

        private readonly DatasetFormatException Error(string what) =>
            new(source, $".npy header is not a valid dict literal ({what}): {text.Trim()}");
    }
}
