#include "harness/report/document.hpp"

#include <sstream>

namespace memwall::harness {

void Document::heading(int level, const std::string& text, const std::string& id) {
  Block b;
  b.kind = Block::Kind::heading;
  b.level = level;
  b.text = text;
  b.id = id;
  blocks.push_back(b);
}

void Document::paragraph(const std::string& text) {
  Block b;
  b.kind = Block::Kind::paragraph;
  b.text = text;
  blocks.push_back(b);
}

void Document::table(const std::vector<std::string>& header, const std::string& align,
                     std::vector<std::vector<std::string>> rows, const std::string& caption) {
  Block b;
  b.kind = Block::Kind::table;
  b.header = header;
  b.align = align;
  b.rows = std::move(rows);
  b.caption = caption;
  blocks.push_back(b);
}

void Document::figure(const std::string& file, const std::string& caption) {
  Block b;
  b.kind = Block::Kind::figure;
  b.file = file;
  b.text = caption;
  blocks.push_back(b);
}

void Document::list(std::vector<std::string> items) {
  Block b;
  b.kind = Block::Kind::list;
  b.items = std::move(items);
  blocks.push_back(b);
}

std::string html_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else if (c == '&')
      out += "&amp;";
    else if (c == '"')
      out += "&quot;";
    else
      out += c;
  }
  return out;
}

namespace {

// `code` -> <code>code</code>, **bold** -> <strong>bold</strong>, [text](href) -> a link.
std::string html_inline(const std::string& text) {
  std::string out;
  bool code = false, bold = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '`') {
      out += (code = !code) ? "<code>" : "</code>";
    } else if (!code && c == '*' && i + 1 < text.size() && text[i + 1] == '*') {
      out += (bold = !bold) ? "<strong>" : "</strong>";
      ++i;
    } else if (!code && c == '[') {
      const size_t close = text.find("](", i);
      const size_t end = close == std::string::npos ? close : text.find(')', close);
      if (end == std::string::npos) {
        out += "[";
        continue;
      }
      out += "<a href=\"" + html_escape(text.substr(close + 2, end - close - 2)) + "\">" +
             html_escape(text.substr(i + 1, close - i - 1)) + "</a>";
      i = end;
    } else {
      out += html_escape(std::string(1, c));
    }
  }
  return out;
}

std::string md_cell(const std::string& text) {
  std::string out;
  for (char c : text) out += c == '|' ? std::string("\\|") : std::string(1, c);
  return out;
}

}  // namespace

std::string MarkdownWriter::write(const Document& doc) const {
  std::ostringstream out;
  out << "# " << doc.title << "\n\n";
  if (!doc.subtitle.empty()) out << "*" << doc.subtitle << "*\n\n";
  for (const Block& b : doc.blocks) {
    switch (b.kind) {
      case Block::Kind::heading:
        out << std::string(b.level, '#') << " " << b.text << "\n\n";
        break;
      case Block::Kind::paragraph:
        out << b.text << "\n\n";
        break;
      case Block::Kind::list:
        for (const std::string& item : b.items) out << "- " << item << "\n";
        out << "\n";
        break;
      case Block::Kind::figure:
        out << "![" << b.text << "](" << b.file << ")\n\n*" << b.text << "*\n\n";
        break;
      case Block::Kind::table: {
        if (!b.caption.empty()) out << "*" << b.caption << "*\n\n";
        out << "|";
        for (const std::string& h : b.header) out << " " << md_cell(h) << " |";
        out << "\n|";
        for (size_t i = 0; i < b.header.size(); ++i)
          out << (i < b.align.size() && b.align[i] == 'r' ? "--:|" : "---|");
        out << "\n";
        for (const auto& row : b.rows) {
          out << "|";
          for (const std::string& cell : row) out << " " << md_cell(cell) << " |";
          out << "\n";
        }
        out << "\n";
        break;
      }
    }
  }
  return out.str();
}

std::string HtmlWriter::write(const Document& doc) const {
  std::ostringstream out;
  out << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>"
      << html_escape(doc.title) << "</title>\n<style>\n"
      << "body{font-family:system-ui,sans-serif;max-width:1180px;margin:1.5em auto;padding:0 1em;"
         "color:#222;line-height:1.4}\n"
      << "table{border-collapse:collapse;margin:.5em 0 1.2em}\n"
      << "th,td{border-bottom:1px solid #ddd;padding:3px 9px;vertical-align:top}\n"
      << "th{background:#f3f3f3;text-align:left}\n"
      << "td.r,th.r{text-align:right;font-variant-numeric:tabular-nums}\n"
      << "caption{caption-side:top;text-align:left;font-style:italic;padding-bottom:4px}\n"
      << "code{background:#f4f4f4;padding:0 3px}\n"
      << "figure{margin:.5em 0 1.5em}figcaption{font-style:italic;color:#444}\n"
      << "nav{background:#fafafa;border:1px solid #eee;padding:.3em 1em;margin-bottom:1em}\n"
      << "nav li{display:inline;margin-right:1.2em}nav ul{padding:0}\n"
      << ".built{color:#666;margin-top:-.6em}\n"
      << ".verdict{font-size:1.1em;background:#f6f9ff;border-left:4px solid #36c;padding:.5em 1em}"
         "\n</style>\n</head><body>\n<h1>"
      << html_escape(doc.title) << "</h1>\n";
  if (!doc.subtitle.empty()) out << "<p class=\"built\">" << html_inline(doc.subtitle) << "</p>\n";
  // The table of contents: every level-2 heading.
  out << "<nav><ul>";
  for (const Block& b : doc.blocks)
    if (b.kind == Block::Kind::heading && b.level == 2)
      out << "<li><a href=\"#" << b.id << "\">" << html_inline(b.text) << "</a></li>";
  out << "</ul></nav>\n";
  bool first_paragraph = true;
  for (const Block& b : doc.blocks) {
    switch (b.kind) {
      case Block::Kind::heading:
        out << "<h" << b.level << " id=\"" << b.id << "\">" << html_inline(b.text) << "</h"
            << b.level << ">\n";
        break;
      case Block::Kind::paragraph:
        out << (first_paragraph ? "<p class=\"verdict\">" : "<p>") << html_inline(b.text)
            << "</p>\n";
        first_paragraph = false;
        break;
      case Block::Kind::list:
        out << "<ul>\n";
        for (const std::string& item : b.items) out << "<li>" << html_inline(item) << "</li>\n";
        out << "</ul>\n";
        break;
      case Block::Kind::figure: {
        out << "<figure>";
        const auto svg = svgs_.find(b.file);
        if (svg != svgs_.end())
          out << svg->second;
        else
          out << "<img src=\"" << html_escape(b.file) << "\" alt=\"" << html_escape(b.text)
              << "\">";
        out << "<figcaption>" << html_inline(b.text) << " (<a href=\"" << html_escape(b.file)
            << "\">" << html_escape(b.file) << "</a>)</figcaption></figure>\n";
        break;
      }
      case Block::Kind::table: {
        out << "<table>";
        if (!b.caption.empty()) out << "<caption>" << html_inline(b.caption) << "</caption>";
        out << "<thead><tr>";
        for (size_t i = 0; i < b.header.size(); ++i)
          out << "<th" << (i < b.align.size() && b.align[i] == 'r' ? " class=\"r\"" : "") << ">"
              << html_inline(b.header[i]) << "</th>";
        out << "</tr></thead>\n<tbody>\n";
        for (const auto& row : b.rows) {
          out << "<tr>";
          for (size_t i = 0; i < row.size(); ++i)
            out << "<td" << (i < b.align.size() && b.align[i] == 'r' ? " class=\"r\"" : "") << ">"
                << html_inline(row[i]) << "</td>";
          out << "</tr>\n";
        }
        out << "</tbody></table>\n";
        break;
      }
    }
  }
  out << "</body></html>\n";
  return out.str();
}

}  // namespace memwall::harness
