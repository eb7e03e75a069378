"use strict";
const text = (tag, content, className) => {
  const node = document.createElement(tag);
  node.textContent = content;
  if (className) node.className = className;
  return node;
};
const resolve = (doc, item) => {
  if (!item || !item.$ref) return item;
  return item.$ref.replace(/^#\//, "").split("/").reduce((node, key) => node[key], doc);
};
const schemaText = (schema) => schema ? JSON.stringify(schema) : "";
fetch("/openapi.json").then((r) => r.json()).then((doc) => {
  document.title = doc.info.title;
  document.getElementById("title").textContent = `${doc.info.title} ${doc.info.version}`;
  document.getElementById("intro").textContent = doc.info.description || "";
  const main = document.getElementById("operations");
  main.textContent = "";
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      if (method === "parameters") continue;
      const section = document.createElement("section");
      const heading = document.createElement("h3");
      heading.append(text("span", method.toUpperCase(), "method"), text("span", path, "path"));
      section.append(heading, text("p", operation.summary || ""));
      const parameters = [...(item.parameters || []), ...(operation.parameters || [])].map((p) => resolve(doc, p));
      if (parameters.length) {
        const table = document.createElement("table");
        table.append(text("tr", ""));
        table.rows[0].append(text("th", "parameter"), text("th", "in"), text("th", "schema"), text("th", "description"));
        for (const p of parameters) {
          const row = table.insertRow();
          row.append(text("td", p.name), text("td", p.in), text("td", schemaText(p.schema)), text("td", p.description || ""));
        }
        section.append(table);
      }
      const responses = Object.entries(operation.responses || {}).map(([code, r]) => `${code} ${resolve(doc, r).description}`);
      section.append(text("p", responses.join(" · ")));
      main.append(section);
    }
  }
}).catch((error) => { document.getElementById("operations").textContent = `Could not load /openapi.json: ${error}`; });
