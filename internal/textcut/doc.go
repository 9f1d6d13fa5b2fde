// Package textcut shortens text for messages and tables without cutting a
// UTF-8 character in two, which would leave an invalid sequence.
package textcut
