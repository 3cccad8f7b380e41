/// Recognises the start of a list item in a line of text ("- x", "* x", "+ x", "• x", "1. x",
/// "2) x"), shared by the plain-text and Markdown parsers so both read lists the same way.
///
/// Bullets carry no meaning and are dropped from the item's text; an ordered item keeps its
/// number ("3. Restart the router"), because steps are often cited by number.
struct ListMarker {
    /// Bytes of indentation before the marker.
    var indent: Int
    /// Index in the line's slice where the item's text starts: after a bullet and its space, or
    /// at the number itself.
    var contentStart: Int
    var isOrdered: Bool

    /// The marker at the start of `line`, if there is one. Indentation up to 12 bytes is allowed
    /// (nested lists); the marker must be followed by a space or tab and then some text.
    static func find(in line: ArraySlice<UInt8>) -> ListMarker? {
        var index = line.startIndex
        while index < line.endIndex, index - line.startIndex < 12, line[index] == 0x20 || line[index] == 0x09 {
            index += 1
        }
        let markerStart = index
        guard index < line.endIndex else { return nil }
        let byte = line[index]
        var afterMarker: Int
        var ordered = false
        switch byte {
        case UInt8(ascii: "-"), UInt8(ascii: "*"), UInt8(ascii: "+"):
            afterMarker = index + 1
        case 0xE2 where line[index...].starts(with: [0xE2, 0x80, 0xA2]):
            afterMarker = index + 3
        case UInt8(ascii: "0")...UInt8(ascii: "9"):
            var end = index
            while end < line.endIndex, end - index < 9, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(line[end]) {
                end += 1
            }
            guard end < line.endIndex, line[end] == UInt8(ascii: ".") || line[end] == UInt8(ascii: ")") else { return nil }
            afterMarker = end + 1
            ordered = true
        default:
            return nil
        }
        guard afterMarker < line.endIndex, line[afterMarker] == 0x20 || line[afterMarker] == 0x09 else { return nil }
        var content = afterMarker
        while content < line.endIndex, line[content] == 0x20 || line[content] == 0x09 { content += 1 }
        guard content < line.endIndex else { return nil }
        return ListMarker(indent: markerStart - line.startIndex, contentStart: ordered ? markerStart : content,
                          isOrdered: ordered)
    }
}
