using System.Collections.Generic;
using System.Text;

namespace ExpressHa.Cmdlets
{
    /// <summary>Word wrapping for the text views, which PowerShell prints as is.</summary>
    public static class TextWrap
    {
        /// <summary>Appends text as lines of at most width characters: the first starts with firstIndent, the rest
        /// with restIndent. A word longer than a line is cut.</summary>
        public static void Append(StringBuilder sb, string text, int width, string firstIndent, string restIndent)
        {
            var line = new StringBuilder(firstIndent);
            var empty = true;
            foreach (var word in Words(text))
            {
                var w = word;
                if (!empty && line.Length + 1 + w.Length > width)
                {
                    sb.Append(line.ToString().TrimEnd()).Append('\n');
                    line.Clear().Append(restIndent);
                    empty = true;
                }
                while (line.Length + (empty ? 0 : 1) + w.Length > width && width - line.Length > 1)
                {
                    var room = width - line.Length - (empty ? 0 : 1);
                    if (!empty) line.Append(' ');
                    line.Append(w.Substring(0, room));
                    w = w.Substring(room);
                    sb.Append(line).Append('\n');
                    line.Clear().Append(restIndent);
                    empty = true;
                }
                if (!empty) line.Append(' ');
                line.Append(w);
                empty = false;
            }
            sb.Append(line.ToString().TrimEnd()).Append('\n');
        }

        static IEnumerable<string> Words(string text)
            => (text ?? "").Split(new[] { ' ', '\n', '\r', '\t' }, System.StringSplitOptions.RemoveEmptyEntries);
    }
}
