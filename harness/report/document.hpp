// One document model for the human-readable reports: the Markdown summary and the HTML page
// are two writers of the same Document, so they never disagree. Text may hold `code` and
// **bold** spans, written as each format writes them.
#pragma once
#include <map>
#include <string>
#include <vector>

namespace memwall::harness {

struct Block {
  enum class Kind { heading, paragraph, table, figure, list };
  Kind kind = Kind::paragraph;
  int level = 2;        // heading level
  std::string id;       // heading anchor, for the table of contents and links
  std::string text;     // heading or paragraph text; figure caption
  std::string caption;  // table caption
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::string align;               // per column: 'l' or 'r' (numbers are right-aligned)
  std::string file;                // figure: the SVG's file name
  std::vector<std::string> items;  // list items
};

struct Document {
  std::string title;
  std::string subtitle;  // what made the report: memwall's version, commit and build
  std::vector<Block> blocks;

  void heading(int level, const std::string& text, const std::string& id);
  void paragraph(const std::string& text);
  void table(const std::vector<std::string>& header, const std::string& align,
             std::vector<std::vector<std::string>> rows, const std::string& caption = "");
  void figure(const std::string& file, const std::string& caption);
  void list(std::vector<std::string> items);
};

// Output formats as classes behind one interface (as Google Benchmark's reporters), each with
// golden-output tests.
class DocumentWriter {
 public:
  virtual ~DocumentWriter() = default;
  virtual std::string write(const Document& doc) const = 0;
};

class MarkdownWriter : public DocumentWriter {
 public:
  std::string write(const Document& doc) const override;
};

// A standalone page: figures inline (their SVG text by file name, else an <img>), a table of
// contents from the level-2 headings, numbers right-aligned.
class HtmlWriter : public DocumentWriter {
 public:
  explicit HtmlWriter(std::map<std::string, std::string> svgs = {}) : svgs_(std::move(svgs)) {}
  std::string write(const Document& doc) const override;

 private:
  std::map<std::string, std::string> svgs_;
};

std::string html_escape(const std::string& text);

}  // namespace memwall::harness
