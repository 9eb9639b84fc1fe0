//! Client-group queries ([`ClientGroupQuery`]): the boolean expressions over a client's
//! `authenticationName` and `attributes.<key>` that decide group membership (reference
//! `eventgrid-mqtt.md` §2.4).
//!
//! Grammar (keywords `and`, `or`, `in` in any case; `and` binds tighter than `or`):
//!
//! ```text
//! query      := conjunction ("or" conjunction)*
//! conjunction:= term ("and" term)*
//! term       := "(" query ")" | operand comparison
//! operand    := "authenticationName" | "attributes." key        key: [A-Za-z0-9_]+
//! comparison := ("=" | "!=" | "<>") literal | ("<" | ">" | "<=" | ">=") integer
//!             | "in" "[" literal ("," literal)* "]"
//! literal    := 'text' | "text" | integer
//! ```
//!
//! Evaluation: a missing attribute or a type mismatch makes a comparison false; an array-valued
//! attribute matches `=` and `in` if any element does, and `!=` if none does;
//! `authenticationName` is compared case-insensitively (as the service looks names up).

use super::{ClientAttribute, MqttClient};
use crate::limits::{MQTT_QUERY_CHARS_MAX, MQTT_QUERY_DEPTH_MAX};

/// A parsed client-group query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientGroupQuery {
    text: String,
    expr: Expr,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Expr {
    Or(Vec<Expr>),
    And(Vec<Expr>),
    Compare(Operand, Comparison),
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Operand {
    AuthenticationName,
    Attribute(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Literal {
    Text(String),
    Integer(i64),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Order {
    Less,
    Greater,
    LessOrEqual,
    GreaterOrEqual,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Comparison {
    Equal(Literal),
    NotEqual(Literal),
    Ordered(Order, i64),
    In(Vec<Literal>),
}

/// Why a query does not parse: the byte offset and the rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QueryError {
    /// Byte offset into the query.
    pub at: usize,
    /// What is wrong there.
    pub reason: &'static str,
}

impl ClientGroupQuery {
    /// Parses a query.
    pub fn parse(text: &str) -> Result<Self, QueryError> {
        if text.len() > MQTT_QUERY_CHARS_MAX {
            return Err(QueryError {
                at: MQTT_QUERY_CHARS_MAX,
                reason: "a query is at most 1024 bytes",
            });
        }
        let mut parser = Parser { text, at: 0 };
        let expr = parser.query(0)?;
        parser.skip_space();
        if parser.at < text.len() {
            return Err(parser.error("unexpected text after the query"));
        }
        Ok(Self {
            text: text.to_owned(),
            expr,
        })
    }

    /// The query as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether `client` belongs to the group.
    pub fn matches(&self, client: &MqttClient) -> bool {
        eval(&self.expr, client)
    }
}

fn eval(expr: &Expr, client: &MqttClient) -> bool {
    match expr {
        Expr::Or(terms) => terms.iter().any(|term| eval(term, client)),
        Expr::And(terms) => terms.iter().all(|term| eval(term, client)),
        Expr::Compare(Operand::AuthenticationName, comparison) => {
            let name = &client.authentication_name;
            let equal = |literal: &Literal| {
                matches!(literal, Literal::Text(text) if text.eq_ignore_ascii_case(name))
            };
            match comparison {
                Comparison::Equal(literal) => equal(literal),
                Comparison::NotEqual(literal) => matches!(literal, Literal::Text(_)) && !equal(literal),
                Comparison::Ordered(..) => false,
                Comparison::In(list) => list.iter().any(equal),
            }
        }
        Expr::Compare(Operand::Attribute(key), comparison) => client
            .attributes
            .get(key)
            .is_some_and(|value| compare(value, comparison)),
    }
}

fn compare(value: &ClientAttribute, comparison: &Comparison) -> bool {
    let equal = |literal: &Literal| match (value, literal) {
        (ClientAttribute::String(text), Literal::Text(other)) => text == other,
        (ClientAttribute::Integer(number), Literal::Integer(other)) => number == other,
        (ClientAttribute::Strings(texts), Literal::Text(other)) => texts.contains(other),
        _ => false,
    };
    let same_type = |literal: &Literal| {
        matches!(
            (value, literal),
            (ClientAttribute::String(_) | ClientAttribute::Strings(_), Literal::Text(_))
                | (ClientAttribute::Integer(_), Literal::Integer(_))
        )
    };
    match comparison {
        Comparison::Equal(literal) => equal(literal),
        Comparison::NotEqual(literal) => same_type(literal) && !equal(literal),
        Comparison::In(list) => list.iter().any(equal),
        Comparison::Ordered(order, bound) => match value {
            ClientAttribute::Integer(number) => match order {
                Order::Less => number < bound,
                Order::Greater => number > bound,
                Order::LessOrEqual => number <= bound,
                Order::GreaterOrEqual => number >= bound,
            },
            _ => false,
        },
    }
}

struct Parser<'a> {
    text: &'a str,
    at: usize,
}

impl Parser<'_> {
    fn error(&self, reason: &'static str) -> QueryError {
        QueryError {
            at: self.at,
            reason,
        }
    }

    fn rest(&self) -> &str {
        &self.text[self.at..]
    }

    fn skip_space(&mut self) {
        let trimmed = self.rest().trim_start();
        self.at = self.text.len() - trimmed.len();
    }

    /// Consumes `keyword` (case-insensitive, as a whole word) if it comes next.
    fn keyword(&mut self, keyword: &str) -> bool {
        self.skip_space();
        let rest = self.rest();
        let word_ends = rest
            .as_bytes()
            .get(keyword.len())
            .is_none_or(|byte| !(byte.is_ascii_alphanumeric() || *byte == b'_'));
        if rest.len() >= keyword.len()
            && rest.as_bytes()[..keyword.len()].eq_ignore_ascii_case(keyword.as_bytes())
            && word_ends
        {
            self.at += keyword.len();
            true
        } else {
            false
        }
    }

    fn symbol(&mut self, symbol: &str) -> bool {
        self.skip_space();
        if self.rest().starts_with(symbol) {
            self.at += symbol.len();
            true
        } else {
            false
        }
    }

    fn query(&mut self, depth: usize) -> Result<Expr, QueryError> {
        if depth > MQTT_QUERY_DEPTH_MAX {
            return Err(self.error("parentheses nest at most 16 deep"));
        }
        let mut terms = vec![self.conjunction(depth)?];
        while self.keyword("or") {
            terms.push(self.conjunction(depth)?);
        }
        Ok(if terms.len() == 1 {
            terms.remove(0)
        } else {
            Expr::Or(terms)
        })
    }

    fn conjunction(&mut self, depth: usize) -> Result<Expr, QueryError> {
        let mut terms = vec![self.term(depth)?];
        while self.keyword("and") {
            terms.push(self.term(depth)?);
        }
        Ok(if terms.len() == 1 {
            terms.remove(0)
        } else {
            Expr::And(terms)
        })
    }

    fn term(&mut self, depth: usize) -> Result<Expr, QueryError> {
        if self.symbol("(") {
            let inner = self.query(depth + 1)?;
            if !self.symbol(")") {
                return Err(self.error("expected ')'"));
            }
            return Ok(inner);
        }
        let operand = self.operand()?;
        let comparison = self.comparison()?;
        Ok(Expr::Compare(operand, comparison))
    }

    fn operand(&mut self) -> Result<Operand, QueryError> {
        self.skip_space();
        if self.keyword("authenticationName") {
            return Ok(Operand::AuthenticationName);
        }
        let rest = self.rest();
        let Some(after) = rest.strip_prefix("attributes.") else {
            return Err(self.error("expected authenticationName or attributes.<key>"));
        };
        let key_len = after
            .bytes()
            .take_while(|byte| byte.is_ascii_alphanumeric() || *byte == b'_')
            .count();
        if key_len == 0 {
            self.at += "attributes.".len();
            return Err(self.error("expected an attribute key of A-Z, a-z, 0-9 and '_'"));
        }
        let key = after[..key_len].to_owned();
        self.at += "attributes.".len() + key_len;
        Ok(Operand::Attribute(key))
    }

    fn comparison(&mut self) -> Result<Comparison, QueryError> {
        if self.keyword("in") {
            if !self.symbol("[") {
                return Err(self.error("expected '[' after IN"));
            }
            let mut list = vec![self.literal()?];
            while self.symbol(",") {
                list.push(self.literal()?);
            }
            if !self.symbol("]") {
                return Err(self.error("expected ',' or ']'"));
            }
            return Ok(Comparison::In(list));
        }
        if self.symbol("<>") || self.symbol("!=") {
            return Ok(Comparison::NotEqual(self.literal()?));
        }
        for (symbol, order) in [("<=", Order::LessOrEqual), (">=", Order::GreaterOrEqual)] {
            if self.symbol(symbol) {
                return self.integer().map(|bound| Comparison::Ordered(order, bound));
            }
        }
        if self.symbol("=") {
            return Ok(Comparison::Equal(self.literal()?));
        }
        if self.symbol("<") {
            return self.integer().map(|bound| Comparison::Ordered(Order::Less, bound));
        }
        if self.symbol(">") {
            return self
                .integer()
                .map(|bound| Comparison::Ordered(Order::Greater, bound));
        }
        Err(self.error("expected =, !=, <>, <, >, <=, >= or IN"))
    }

    fn integer(&mut self) -> Result<i64, QueryError> {
        match self.literal()? {
            Literal::Integer(number) => Ok(number),
            Literal::Text(_) => Err(self.error("<, >, <= and >= compare integers only")),
        }
    }

    fn literal(&mut self) -> Result<Literal, QueryError> {
        self.skip_space();
        let rest = self.rest();
        let Some(first) = rest.chars().next() else {
            return Err(self.error("expected a value"));
        };
        if first == '\'' || first == '"' {
            let body = &rest[1..];
            let end = body
                .find(first)
                .ok_or_else(|| self.error("a string is not closed"))?;
            let text = body[..end].to_owned();
            self.at += end + 2;
            return Ok(Literal::Text(text));
        }
        let digits = rest
            .bytes()
            .enumerate()
            .take_while(|(index, byte)| byte.is_ascii_digit() || (*index == 0 && *byte == b'-'))
            .count();
        let number = rest[..digits]
            .parse::<i64>()
            .map_err(|_| self.error("expected a quoted string or an integer"))?;
        self.at += digits;
        Ok(Literal::Integer(number))
    }
}
