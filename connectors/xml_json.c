/* xml_json.c - a record element of the xml connector as JSON, straight from its xmlNode tree (the
 * rules are in xml.h). */
#include "connectors/xml_internal.h"

#include "core/utf8.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static bool is_xml_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void trim(const char **s, size_t *n)
{
    while (*n > 0 && is_xml_space((*s)[0])) {
        (*s)++;
        (*n)--;
    }
    while (*n > 0 && is_xml_space((*s)[*n - 1]))
        (*n)--;
}

/* A new JSON string; text that is not valid UTF-8 is repaired (U+FFFD). NULL: out of memory. */
static json_t *new_string(const char *s, size_t n)
{
    json_t *v = json_stringn(s, n);
    if (v)
        return v;
    char *fixed = og_utf8_copy(s, n, SIZE_MAX);
    if (!fixed)
        return NULL;
    v = json_string(fixed);
    free(fixed);
    return v;
}

/* Concatenated content of the text (and CDATA) nodes in the list, trimmed when asked: *s points
 * into a node or into st->text. 0, CONV_ENTITY or OG_ENOMEM. */
static int list_text(struct xml *st, const xmlNode *list, bool do_trim, const char **s, size_t *n)
{
    const xmlNode *only = NULL;
    size_t count = 0;
    for (const xmlNode *c = list; c; c = c->next) {
        if (c->type == XML_ENTITY_REF_NODE || c->type == XML_ENTITY_NODE)
            return CONV_ENTITY;
        if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) && c->content) {
            only = c;
            count++;
        }
    }
    *s = "";
    *n = 0;
    if (count == 1) {
        *s = (const char *)only->content;
        *n = strlen(*s);
    }
    else if (count > 1) {
        og_buf_reset(&st->text);
        for (const xmlNode *c = list; c; c = c->next)
            if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) && c->content &&
                og_buf_puts(&st->text, (const char *)c->content) < 0)
                return OG_ENOMEM;
        *s = st->text.data ? st->text.data : "";
        *n = st->text.len;
    }
    if (do_trim)
        trim(s, n);
    return 0;
}

/* The key prefix for a namespace: NULL for a local name (*clark false) or for "{uri}local"
 * (*clark true). */
static const char *ns_prefix(struct xml *st, const xmlNs *ns, bool *clark)
{
    *clark = false;
    if (!ns || !ns->href)
        return NULL;
    if (ns == st->ns_last) {
        *clark = st->ns_last_clark;
        return st->ns_last_prefix;
    }
    const char *href = (const char *)ns->href;
    const char *prefix = NULL;
    bool c = false;
    if (!st->default_uri || strcmp(href, st->default_uri) != 0) {
        size_t i = 0;
        while (i < st->nns && (st->ns[i].prefix[0] == '\0' || strcmp(href, st->ns[i].uri) != 0))
            i++;
        if (i < st->nns)
            prefix = st->ns[i].prefix;
        else if (strcmp(href, (const char *)XML_XML_NAMESPACE) == 0)
            prefix = "xml";
        else
            c = true;
    }
    st->ns_last = ns;
    st->ns_last_prefix = prefix;
    st->ns_last_clark = c;
    *clark = c;
    return prefix;
}

/* The key of an element or attribute (see xml.h): borrowed from the node or from st->key, valid
 * until the next call. NULL when out of memory. */
const char *og_xml_make_key(struct xml *st, const xmlNs *ns, const xmlChar *name, bool attr)
{
    bool clark;
    const char *prefix = ns_prefix(st, ns, &clark);
    if (!attr && !prefix && !clark)
        return (const char *)name;
    og_buf_reset(&st->key);
    if ((attr && og_buf_putc(&st->key, '@') < 0) ||
        (clark &&
         (og_buf_putc(&st->key, '{') < 0 || og_buf_puts(&st->key, (const char *)ns->href) < 0 ||
          og_buf_putc(&st->key, '}') < 0)) ||
        (prefix && (og_buf_puts(&st->key, prefix) < 0 || og_buf_putc(&st->key, ':') < 0)) ||
        og_buf_puts(&st->key, (const char *)name) < 0)
        return NULL;
    return st->key.data;
}

/* Sets obj[key] = v, or makes the values of a repeated key an array. Steals v. */
static int put(json_t *obj, const char *key, json_t *v)
{
    json_t *old = json_object_get(obj, key);
    if (!old)
        return json_object_set_new(obj, key, v) < 0 ? OG_ENOMEM : 0;
    if (json_is_array(old))
        return json_array_append_new(old, v) < 0 ? OG_ENOMEM : 0;
    json_t *arr = json_array();
    if (!arr || json_array_append(arr, old) < 0) {
        json_decref(arr);
        json_decref(v);
        return OG_ENOMEM;
    }
    if (json_array_append_new(arr, v) < 0) {
        json_decref(arr);
        return OG_ENOMEM;
    }
    return json_object_set_new(obj, key, arr) < 0 ? OG_ENOMEM : 0;
}

/* The JSON value of an element (see xml.h); top: the record itself, always an object. *out is
 * new. 0, CONV_ENTITY or OG_ENOMEM. Recursion is bounded by libxml2's depth limit (256). */
int og_xml_element_value(struct xml *st, const xmlNode *el, bool top, json_t **out)
{
    *out = NULL;
    bool kids = false;
    for (const xmlNode *c = el->children; c && !kids; c = c->next)
        kids = c->type == XML_ELEMENT_NODE;
    bool attrs = st->attributes && el->properties;
    const char *s;
    size_t n;
    int rc = list_text(st, el->children, true, &s, &n);
    if (rc != 0)
        return rc;
    if (!top && !kids && !attrs) {
        *out = n == 0 && st->empty_null ? json_null() : new_string(s, n);
        return *out ? 0 : OG_ENOMEM;
    }
    json_t *text = n > 0 ? new_string(s, n) : NULL;
    json_t *obj = json_object();
    if ((n > 0 && !text) || !obj) {
        rc = OG_ENOMEM;
        goto fail;
    }
    for (const xmlAttr *a = attrs ? el->properties : NULL; a; a = a->next) {
        if ((rc = list_text(st, a->children, false, &s, &n)) != 0)
            goto fail;
        json_t *v = new_string(s, n);
        const char *key = v ? og_xml_make_key(st, a->ns, a->name, true) : NULL;
        if (!key) {
            json_decref(v);
            rc = OG_ENOMEM;
            goto fail;
        }
        if ((rc = put(obj, key, v)) != 0)
            goto fail;
    }
    for (const xmlNode *c = kids ? el->children : NULL; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        json_t *v;
        if ((rc = og_xml_element_value(st, c, false, &v)) != 0)
            goto fail;
        const char *key = og_xml_make_key(st, c->ns, c->name, false);
        if (!key) {
            json_decref(v);
            rc = OG_ENOMEM;
            goto fail;
        }
        if ((rc = put(obj, key, v)) != 0)
            goto fail;
    }
    if (text) {
        rc = json_object_set_new(obj, "#text", text) < 0 ? OG_ENOMEM : 0;
        text = NULL;
        if (rc < 0)
            goto fail;
    }
    *out = obj;
    return 0;
fail:
    json_decref(text);
    json_decref(obj);
    return rc;
}
